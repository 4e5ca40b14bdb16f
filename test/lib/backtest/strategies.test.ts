/**
 * The six strategies on hand-built bars where the signal bar can be worked out on paper: the
 * targets each one asks for, `long` (the opposite signal exits) against `long-short` (it
 * reverses), strict crossings, no signal out of an indicator's warm-up, and the shared
 * indicator cache.
 */
import { describe, expect, it } from 'vitest';
import { IndicatorCache, STRATEGIES, type Strategy } from '../../../lib/backtest/strategies/index.ts';
import type { Bars } from '../../../lib/backtest/types.ts';
import { barsFrom } from '../../harness/bars.ts';

function strategy(name: string): Strategy {
  const found = STRATEGIES.get(name);
  if (!found) throw new Error(`test setup: no strategy ${name}`);
  return found;
}

/** Bars whose open and close are `close`; high and low explicit when the strategy reads them. */
function bars(close: number[], range?: { high: number[]; low: number[] }): Bars {
  const b = barsFrom(close, close);
  if (range) {
    b.high = Float64Array.from(range.high);
    b.low = Float64Array.from(range.low);
  }
  return b;
}

function targetsOf(name: string, b: Bars, params: Record<string, unknown>, cache = new IndicatorCache(b)): number[] {
  const s = strategy(name);
  return Array.from(s.targets(b, s.params.parse(params) as never, cache));
}

interface SignalCase {
  name: string;
  params: Record<string, unknown>;
  bars: Bars;
  long: number[];
  longShort: number[];
}

/*
 * Each series is worked out by hand in the comment above it; t is the bar index.
 */
const SIGNAL_CASES: SignalCase[] = [
  {
    // closes 5 4 3 2 3 4 5 4 3 2
    // SMA2 —, 4.5, 3.5, 2.5, 2.5, 3.5, 4.5, 4.5, 3.5, 2.5
    // SMA3 —, —,   4,   3,   2.67, 3,  4,   4.33, 4,  3
    // t=5: 2.5 < 2.67 then 3.5 > 3 → up; t=8: 4.5 > 4.33 then 3.5 < 4 → down.
    name: 'sma-cross',
    params: { fast: 2, slow: 3 },
    bars: bars([5, 4, 3, 2, 3, 4, 5, 4, 3, 2]),
    long: [0, 0, 0, 0, 0, 1, 1, 1, 0, 0],
    longShort: [0, 0, 0, 0, 0, 1, 1, 1, -1, -1],
  },
  {
    // Same closes. EMA2 (α 2/3, seed mean of 2): —, 4.5, 3.5, 2.5, 2.83, 3.61, 4.54, 4.18, 3.39, 2.46
    // EMA3 (α 1/2, seed mean of 3):            —, —,   4,   3,   3,    3.5,  4.25, 4.13, 3.56, 2.78
    // t=5: 2.83 < 3 then 3.61 > 3.5 → up; t=8: 4.18 > 4.13 then 3.39 < 3.56 → down.
    name: 'ema-cross',
    params: { fast: 2, slow: 3 },
    bars: bars([5, 4, 3, 2, 3, 4, 5, 4, 3, 2]),
    long: [0, 0, 0, 0, 0, 1, 1, 1, 0, 0],
    longShort: [0, 0, 0, 0, 0, 1, 1, 1, -1, -1],
  },
  {
    // closes 10 9 8 9 10 11 10 9, RSI(2) (Wilder): —, —, 0, 50, 75, 87.5, 43.75, 21.9
    // t=3: 0 < 30 then 50 > 30 → up (leaves oversold); t=6: 87.5 > 70 then 43.75 < 70 → down.
    name: 'rsi-reversion',
    params: { period: 2, lower: 30, upper: 70 },
    bars: bars([10, 9, 8, 9, 10, 11, 10, 9]),
    long: [0, 0, 0, 1, 1, 1, 0, 0],
    longShort: [0, 0, 0, 1, 1, 1, -1, -1],
  },
  {
    // period 2, k 0.5: bands are the 2-bar mean ± |Δ|/4.
    // closes 10 10 9 10 11 10 9 → upper —, 10, 9.75, 9.75, 10.75, 10.75, 9.75; lower —, 10, 9.25, 9.25, 10.25, 10.25, 9.25
    // t=2: close 10 equals the upper band 10 on t=1 → no cross; t=3: 9 < 9.75 then 10 > 9.75 → up;
    // t=5: 11 > 10.25 then 10 < 10.25 → down.
    name: 'bollinger-breakout',
    params: { period: 2, k: 0.5 },
    bars: bars([10, 10, 9, 10, 11, 10, 9]),
    long: [0, 0, 0, 1, 1, 0, 0],
    longShort: [0, 0, 0, 1, 1, -1, -1],
  },
  {
    // period 2: the channel of bars t-2 and t-1.
    // high 11 11 11 12.5 12.5 12.5 12.5, low 9 9 9 9.5 9.5 9.5 8, close 10 10 11 12 11 10 8.5
    // t=2: 11 is not above the prior high 11 (strict); t=3: 12 > 11 → up; t=6: 8.5 < 9.5 → down.
    name: 'donchian-breakout',
    params: { period: 2 },
    bars: bars([10, 10, 11, 12, 11, 10, 8.5], { high: [11, 11, 11, 12.5, 12.5, 12.5, 12.5], low: [9, 9, 9, 9.5, 9.5, 9.5, 8] }),
    long: [0, 0, 0, 1, 1, 1, 0],
    longShort: [0, 0, 0, 1, 1, 1, -1],
  },
  {
    // fast 2, slow 3, signal 2 on closes 1 1 1 1 4 4 4 1 1 1 (TA-Lib seeding, both EMAs from t=2):
    // MACD   —, —, 0, 0, 0.5,  0.417, 0.264, -0.350, -0.335, -0.221
    // signal —, —, —, 0, 0.333, 0.389, 0.306, -0.131, -0.267, -0.236
    // t=4: equal on t=3 → no cross; t=6: 0.417 > 0.389 then 0.264 < 0.306 → down (a short in
    // long-short, nothing to exit in long); t=9: -0.335 < -0.267 then -0.221 > -0.236 → up.
    name: 'macd',
    params: { fast: 2, slow: 3, signal: 2 },
    bars: bars([1, 1, 1, 1, 4, 4, 4, 1, 1, 1]),
    long: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    longShort: [0, 0, 0, 0, 0, 0, -1, -1, -1, 1],
  },
];

describe('signals on hand-built bars', () => {
  it('the cases cover every registered strategy', () => {
    const covered = SIGNAL_CASES.map((c) => c.name).sort();

    expect(covered).toEqual([...STRATEGIES.keys()].sort());
  });

  it.each(SIGNAL_CASES)('$name long: the opposite signal exits to flat', (c) => {
    const targets = targetsOf(c.name, c.bars, { ...c.params, mode: 'long' });

    expect(targets).toEqual(c.long);
  });

  it.each(SIGNAL_CASES)('$name long-short: the opposite signal reverses into a short', (c) => {
    const targets = targetsOf(c.name, c.bars, { ...c.params, mode: 'long-short' });

    expect(targets).toEqual(c.longShort);
  });

  it.each(SIGNAL_CASES)('$name: the default mode is long', (c) => {
    const targets = targetsOf(c.name, c.bars, c.params);

    expect(targets).toEqual(c.long);
  });

  it.each(SIGNAL_CASES)('$name: one target per bar, an Int8Array', (c) => {
    const s = strategy(c.name);

    const targets = s.targets(c.bars, s.params.parse(c.params) as never, new IndicatorCache(c.bars));

    expect(targets).toBeInstanceOf(Int8Array);
    expect(targets).toHaveLength(c.bars.close.length);
  });
});

describe('crossings are strict', () => {
  it.each([
    // SMA2 —, 3, 3, 3, 3.5, 4.5 and SMA3 —, —, 3, 3, 3.33, 4: equal up to t=3, then fast above.
    ['equal before, above after', [3, 3, 3, 3, 4, 5]],
    // The mirror image: equal, then fast below.
    ['equal before, below after', [5, 5, 5, 5, 4, 3]],
    // A flat series: the averages are equal on every bar.
    ['equal throughout', [7, 7, 7, 7, 7, 7]],
  ])('sma-cross: %s is not a cross', (_name, close) => {
    const targets = targetsOf('sma-cross', bars(close), { fast: 2, slow: 3, mode: 'long-short' });

    expect(targets).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rsi-reversion: touching the level is not crossing it', () => {
    // RSI(2) of 10 9 8 9: —, —, 0, 50. With lower = 50 the RSI reaches the level but does not exceed it.
    const targets = targetsOf('rsi-reversion', bars([10, 9, 8, 9]), { period: 2, lower: 50, upper: 70 });

    expect(targets).toEqual([0, 0, 0, 0]);
  });
});

describe('no signal out of the warm-up', () => {
  const rising = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const falling = [...rising].reverse();
  // On a monotone series every crossing strategy's lines keep their order from their first values
  // on; a NaN treated as a number on the bar before would make the first defined bar a crossing.
  it.each([
    ['sma-cross', { fast: 2, slow: 3 }],
    ['ema-cross', { fast: 2, slow: 3 }],
    ['rsi-reversion', { period: 2 }],
    ['bollinger-breakout', { period: 3, k: 0.5 }],
    ['macd', { fast: 2, slow: 3, signal: 2 }],
  ])('%s: flat on a rising and on a falling series', (name, params) => {
    const up = targetsOf(name, bars(rising), { ...params, mode: 'long-short' });
    const down = targetsOf(name, bars(falling), { ...params, mode: 'long-short' });

    expect(up).toEqual(new Array(10).fill(0));
    expect(down).toEqual(new Array(10).fill(0));
  });

  it.each([
    // high = close + 0.5 (barsFrom): a rising close beats the prior 3-bar high on every bar that has one.
    ['rising', rising, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]],
    ['falling', falling, [0, 0, 0, -1, -1, -1, -1, -1, -1, -1]],
  ])('donchian-breakout period 3 on a %s series: first signal on bar 3, the first with 3 prior bars', (_name, close, expected) => {
    const targets = targetsOf('donchian-breakout', bars(close), { period: 3, mode: 'long-short' });

    expect(targets).toEqual(expected);
  });

  it.each(SIGNAL_CASES)('$name: a series shorter than the warm-up never signals', (c) => {
    const short = bars([...c.bars.close].slice(0, 2));

    const targets = targetsOf(c.name, short, { ...c.params, mode: 'long-short' });

    expect(targets).toEqual([0, 0]);
  });
});

describe('IndicatorCache', () => {
  it('computes a key once and returns the same instance afterwards', () => {
    const cache = new IndicatorCache(bars([1, 2, 3]));
    let computed = 0;
    const compute = () => {
      computed += 1;
      return new Float64Array(3);
    };

    const first = cache.get('sma:2', compute);
    const second = cache.get('sma:2', compute);
    const other = cache.get('sma:3', compute);

    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(computed).toBe(2);
  });

  /** Counts the arrays a cache computes. */
  function countingCache(b: Bars): { cache: IndicatorCache; keys: string[] } {
    const cache = new IndicatorCache(b);
    const keys: string[] = [];
    const get = cache.get.bind(cache);
    cache.get = <T>(key: string, compute: () => T): T =>
      get(key, () => {
        keys.push(key);
        return compute();
      });
    return { cache, keys };
  }

  it.each(SIGNAL_CASES)('$name: a second parameter set with the same indicators computes nothing new', (c) => {
    const { cache, keys } = countingCache(c.bars);

    const first = targetsOf(c.name, c.bars, { ...c.params, mode: 'long' }, cache);
    const computedFirst = keys.length;
    const second = targetsOf(c.name, c.bars, { ...c.params, mode: 'long-short' }, cache);

    expect(computedFirst).toBeGreaterThan(0);
    expect(keys).toHaveLength(computedFirst);
    expect(first).toEqual(c.long);
    expect(second).toEqual(c.longShort);
  });

  it('sma-cross (2,3) then (3,5): only SMA(5) is new; SMA(3) is shared between fast and slow', () => {
    const b = SIGNAL_CASES[0]!.bars;
    const { cache, keys } = countingCache(b);

    targetsOf('sma-cross', b, { fast: 2, slow: 3 }, cache);
    const sma3 = cache.get('sma:3', () => {
      throw new Error('sma:3 should be cached');
    });
    targetsOf('sma-cross', b, { fast: 3, slow: 5 }, cache);

    expect(keys).toEqual(['sma:2', 'sma:3', 'sma:5']);
    expect(cache.get('sma:3', () => new Float64Array(0))).toBe(sma3);
  });

  it('the strategy reads its indicator from the cache: a planted array changes the targets', () => {
    const b = SIGNAL_CASES[0]!.bars;
    const cache = new IndicatorCache(b);
    // A slow line that the fast SMA(2) (—, 4.5, 3.5, 2.5, ...) crosses up through on bar 2
    // (4.5 < 5, then 3.5 > 3) and back down through on bar 3 (2.5 < 100).
    cache.get('sma:3', () => Float64Array.from([NaN, 5, 3, 100, 100, 100, 100, 100, 100, 100]));

    const targets = targetsOf('sma-cross', b, { fast: 2, slow: 3 }, cache);

    expect(targets).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('the registry', () => {
  it('holds the six strategies under their command-line names, each with a one-line description', () => {
    const names = [...STRATEGIES.keys()];

    expect(names).toEqual(['sma-cross', 'ema-cross', 'rsi-reversion', 'bollinger-breakout', 'donchian-breakout', 'macd']);
    for (const s of STRATEGIES.values()) {
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.description).not.toContain('\n');
    }
  });
});
