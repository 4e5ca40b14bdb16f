import { describe, expect, it } from 'vitest';
import { findGaps, gapFinding, gapKey, isKnownGap } from '../../../../lib/validate/rules/gaps.ts';
import type { Gap, GapWindow } from '../../../../lib/validate/rules/types.ts';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const base = Date.UTC(2024, 5, 1); // 2024-06-01T00:00Z
/** Open times `base + k h` for each k. */
const hours = (...ks: number[]) => ks.map((k) => base + k * H);
/** A gap of 1h candles from hour `a` to hour `b`, inclusive. */
const gap = (a: number, b: number): Gap => ({ fromMs: base + a * H, toMs: base + b * H, missing: b - a + 1 });

describe('findGaps (1h)', () => {
  it.each<[string, number[], GapWindow | undefined, Gap[]]>([
    ['an empty series without a window', [], undefined, []],
    ['an empty series with only a start', [], { fromMs: base }, []],
    ['an empty series over a window: one gap, the whole window', [], { fromMs: base, toMs: base + 3 * H }, [gap(0, 3)]],
    ['a single candle', hours(5), undefined, []],
    ['a complete series', hours(0, 1, 2, 3), undefined, []],
    ['a single missing candle', hours(0, 1, 3), undefined, [gap(2, 2)]],
    ['a longer inner gap', hours(0, 4), undefined, [gap(1, 3)]],
    ['adjacent gaps around one stored candle', hours(0, 2, 4), undefined, [gap(1, 1), gap(3, 3)]],
    ['a gap at the very start of the window', hours(2, 3, 4), { fromMs: base, toMs: base + 4 * H }, [gap(0, 1)]],
    ['a gap at the very end of the window', hours(0, 1), { fromMs: base, toMs: base + 4 * H }, [gap(2, 4)]],
    ['gaps at start, inside and end', hours(1, 3), { fromMs: base, toMs: base + 5 * H }, [gap(0, 0), gap(2, 2), gap(4, 5)]],
    ['only the last window candle missing', hours(0, 1, 2), { toMs: base + 3 * H }, [gap(3, 3)]],
    ['candles outside the window are ignored', hours(0, 1, 2, 3, 4, 6, 7), { fromMs: base + H, toMs: base + 4 * H }, []],
    ['a gap cut by the window', hours(0, 5), { fromMs: base + 2 * H, toMs: base + 3 * H }, [gap(2, 3)]],
    ['unaligned window bounds round inward', hours(2), { fromMs: base + 30 * MIN, toMs: base + 3 * H + 30 * MIN }, [gap(1, 1), gap(3, 3)]],
    ['an empty window (from after to)', hours(0, 5), { fromMs: base + 4 * H, toMs: base + 3 * H }, []],
    ['repeated open times are tolerated', hours(0, 1, 1, 3), undefined, [gap(2, 2)]],
    ['a misaligned time counts as its hour', [base, base + H + MIN, base + 2 * H], undefined, []],
  ])('%s', (_name, times, window, expected) => {
    expect(findGaps(times, '1h', window)).toEqual(expected);
  });

  it('reads typed arrays as well', () => {
    expect(findGaps(Float64Array.from(hours(0, 3)), '1h')).toEqual([gap(1, 2)]);
  });
});

describe('findGaps on other timeframes', () => {
  it.each([
    ['1d', [base, base + 3 * D], [{ fromMs: base + D, toMs: base + 2 * D, missing: 2 }]],
    ['15m', [base, base + 15 * MIN, base + 45 * MIN], [{ fromMs: base + 30 * MIN, toMs: base + 30 * MIN, missing: 1 }]],
    ['4h', [base + 4 * H, base + 16 * H], [{ fromMs: base + 8 * H, toMs: base + 12 * H, missing: 2 }]],
  ] as const)('%s', (tf, times, expected) => {
    expect(findGaps(times, tf)).toEqual(expected);
  });
});

describe('gapKey', () => {
  it.each([
    ['ingestion', 'validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0200Z'],
    ['exchange', 'validate:gap-exchange:binance:BTC/USDT:1h:20240601T0200Z'],
  ] as const)('%s -> %s', (origin, key) => {
    expect(gapKey('binance', 'BTC/USDT', '1h', gap(2, 4), origin)).toBe(key);
  });

  it('defaults to an ingestion gap and depends only on the first missing candle', () => {
    expect(gapKey('binance', 'BTC/USDT', '1h', gap(2, 2))).toBe(gapKey('binance', 'BTC/USDT', '1h', gap(2, 9)));
    expect(gapKey('binance', 'BTC/USDT', '1h', gap(2, 2))).toBe('validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0200Z');
  });
});

describe('gapFinding', () => {
  it.each([
    // timeframe, missing, origin, severity: ingestion gaps over one day's worth are CRITICAL
    ['1h', 1, 'exchange', 'INFO'],
    ['1h', 500, 'exchange', 'INFO'],
    ['1h', 1, 'ingestion', 'WARNING'],
    ['1h', 24, 'ingestion', 'WARNING'],
    ['1h', 25, 'ingestion', 'CRITICAL'],
    ['15m', 96, 'ingestion', 'WARNING'],
    ['15m', 97, 'ingestion', 'CRITICAL'],
    ['4h', 6, 'ingestion', 'WARNING'],
    ['4h', 7, 'ingestion', 'CRITICAL'],
    ['1d', 1, 'ingestion', 'WARNING'],
    ['1d', 2, 'ingestion', 'CRITICAL'],
  ] as const)('%s, %d missing, %s gap -> %s', (timeframe, missing, origin, severity) => {
    const g = { fromMs: base, toMs: base, missing }; // only `missing` matters for severity
    const finding = gapFinding({ exchange: 'binance', symbol: 'ETH/USDT', timeframe }, g, origin);
    expect(finding.severity).toBe(severity);
    expect(finding.kind).toBe(`gap-${origin}`);
  });

  it('describes an ingestion gap with its range and a stable key', () => {
    expect(gapFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, gap(2, 4), 'ingestion')).toEqual({
      kind: 'gap-ingestion',
      severity: 'WARNING',
      key: 'validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0200Z',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      text: 'BTC/USDT 1h is missing 3 candles the exchange has (2024-06-01 02:00Z to 2024-06-01 04:00Z)',
      details: { fromMs: base + 2 * H, toMs: base + 4 * H, missing: 3, origin: 'ingestion' },
    });
  });

  it('describes a one-candle exchange gap by its time', () => {
    const finding = gapFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, gap(2, 2), 'exchange');
    expect(finding.text).toBe('BTC/USDT 1h: the exchange has no data for 1 candle (2024-06-01 02:00Z)');
    expect(finding.key).toBe('validate:gap-exchange:binance:BTC/USDT:1h:20240601T0200Z');
  });

  it('takes a custom critical span', () => {
    const finding = gapFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, gap(0, 2), 'ingestion', 2 * H);
    expect(finding.severity).toBe('CRITICAL');
  });
});

describe('isKnownGap', () => {
  const known = [gap(10, 20), gap(30, 30)];
  it.each([
    ['inside a known gap', gap(12, 15), true],
    ['equal to a known gap', gap(10, 20), true],
    ['equal to a one-candle known gap', gap(30, 30), true],
    ['starting before a known gap', gap(9, 15), false],
    ['ending after a known gap', gap(15, 21), false],
    ['spanning two known gaps', gap(10, 30), false],
    ['elsewhere', gap(0, 1), false],
  ] as const)('%s -> %s', (_name, g, expected) => {
    expect(isKnownGap(g, known)).toBe(expected);
  });

  it('nothing is known when nothing is remembered', () => {
    expect(isKnownGap(gap(1, 1), [])).toBe(false);
  });
});
