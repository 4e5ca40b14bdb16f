import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JUMP_THRESHOLD_PCT,
  crossTimeframeAgrees,
  crossTimeframeFinding,
  isExtremeJump,
  sanityFindings,
} from '../../../../lib/validate/rules/sanity.ts';
import type { OhlcvValues, SanityCounts } from '../../../../lib/validate/rules/types.ts';

const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;
const ZERO: SanityCounts = { ohlcInconsistent: 0, negativeVolume: 0, duplicateTimes: 0, misalignedTimes: 0, extremeJumps: 0 };
const at = Date.UTC(2024, 5, 1, 2); // 2024-06-01T02:00Z

describe('isExtremeJump', () => {
  it.each([
    // prevClose, open, close, threshold, extreme
    [100, 100, 131, 30, true],
    [100, 100, 130, 30, false], // exactly the threshold is not more than it
    [100, 100, 70, 30, false],
    [100, 100, 69, 30, true],
    [100, 140, 100, 30, true], // an opening gap counts too
    [100, 99, 101, 1, false],
    [100, 100, 1000, 30, true], // a decimal shift
    [0.000_01, 0.000_01, 0.000_013_1, 30, true], // PEPE-sized prices
    [0, 1, 1, 30, false], // no ratio: the OHLC rules report a zero price
    [Number.NaN, 1, 1, 30, false],
  ] as const)('prev close %d, open %d, close %d, threshold %d %% -> %s', (prevClose, open, close, pct, expected) => {
    expect(isExtremeJump(prevClose, open, close, pct)).toBe(expected);
  });

  it('defaults to 30 %', () => {
    expect(DEFAULT_JUMP_THRESHOLD_PCT).toBe(30);
  });
});

describe('sanityFindings', () => {
  it('a clean series has no findings', () => {
    expect(sanityFindings(series, ZERO)).toEqual([]);
  });

  it.each([
    ['ohlcInconsistent', 'ohlc-inconsistent', 'CRITICAL'],
    ['negativeVolume', 'negative-volume', 'CRITICAL'],
    ['duplicateTimes', 'duplicate-time', 'CRITICAL'],
    ['misalignedTimes', 'misaligned-time', 'CRITICAL'],
    ['extremeJumps', 'extreme-jump', 'WARNING'],
  ] as const)('%s > 0 -> %s %s', (count, kind, severity) => {
    const findings = sanityFindings(series, { ...ZERO, [count]: 3 });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind, severity, key: `validate:${kind}:binance:BTC/USDT:1h`, symbol: 'BTC/USDT', timeframe: '1h' });
    expect(findings[0]?.details).toMatchObject({ count: 3 });
  });

  it('reports every non-zero count, in rule order, with the first example', () => {
    const findings = sanityFindings(
      series,
      { ...ZERO, extremeJumps: 1, negativeVolume: 2, firstExamples: { extremeJumps: at, negativeVolume: at - 3_600_000 } },
      50,
    );
    expect(findings).toEqual([
      {
        kind: 'negative-volume',
        severity: 'CRITICAL',
        key: 'validate:negative-volume:binance:BTC/USDT:1h',
        symbol: 'BTC/USDT',
        timeframe: '1h',
        text: 'BTC/USDT 1h has 2 candles with negative volume (first at 2024-06-01 01:00Z)',
        details: { count: 2, firstExampleMs: at - 3_600_000 },
      },
      {
        kind: 'extreme-jump',
        severity: 'WARNING',
        key: 'validate:extreme-jump:binance:BTC/USDT:1h',
        symbol: 'BTC/USDT',
        timeframe: '1h',
        text: 'BTC/USDT 1h has 1 candle jumping more than 50 % from the previous close (first at 2024-06-01 02:00Z)',
        details: { count: 1, firstExampleMs: at, thresholdPct: 50 },
      },
    ]);
  });
});

describe('crossTimeframeAgrees', () => {
  const c = (open: number, high: number, low: number, close: number, volume: number): OhlcvValues => ({ open, high, low, close, volume });
  // four 15m candles of one hour; their volumes sum (in this order) to 0.9000000000000001, not 0.9
  const fine = [c(10, 12, 9, 11, 0.1), c(11, 15, 10, 14, 0.2), c(14, 14, 8, 9, 0.3), c(9, 10, 9, 10, 0.3)];

  it('the float volume sum differs from the coarse volume in the last bits', () => {
    expect(fine.reduce((sum, x) => sum + x.volume, 0)).not.toBe(0.9);
  });

  it.each([
    ['the exact aggregate, volume summed as floats', c(10, 15, 8, 10, 0.9), 1e-9, undefined],
    ['the same with no tolerance', c(10, 15, 8, 10, 0.9), 0, 'volume'],
    ['a volume off by 1e-4', c(10, 15, 8, 10, 0.9001), 1e-9, 'volume'],
    ['a volume off within a loose tolerance', c(10, 15, 8, 10, 0.9001), 1e-3, undefined],
    ['another open', c(10.5, 15, 8, 10, 0.9), 1e-9, 'open'],
    ['a high that is not the max', c(10, 14, 8, 10, 0.9), 1e-9, 'high'],
    ['a low that is not the min', c(10, 15, 9, 10, 0.9), 1e-9, 'low'],
    ['another close', c(10, 15, 8, 9, 0.9), 1e-9, 'close'],
    ['several fields: the first in order', c(10, 16, 8, 10, 2), 1e-9, 'high'],
  ] as const)('%s -> %s', (_name, coarse, tolerance, expected) => {
    expect(crossTimeframeAgrees(coarse, fine, tolerance)).toBe(expected);
  });

  it('a single fine candle must equal the coarse one', () => {
    expect(crossTimeframeAgrees(c(1, 2, 0.5, 1.5, 7), [c(1, 2, 0.5, 1.5, 7)])).toBeUndefined();
  });

  it('zero volumes agree', () => {
    expect(crossTimeframeAgrees(c(1, 1, 1, 1, 0), [c(1, 1, 1, 1, 0), c(1, 1, 1, 1, 0)])).toBeUndefined();
  });

  it('refuses an empty set of fine candles', () => {
    expect(() => crossTimeframeAgrees(c(1, 1, 1, 1, 0), [])).toThrow(RangeError);
  });
});

describe('crossTimeframeFinding', () => {
  it.each([0, -1])('%d mismatches -> no finding', (mismatches) => {
    expect(crossTimeframeFinding(series, '15m', mismatches)).toBeUndefined();
  });

  it('names the finer timeframe in the key and the first mismatch in the text', () => {
    expect(crossTimeframeFinding(series, '15m', 2, { openTimeMs: at, field: 'volume' })).toEqual({
      kind: 'cross-timeframe',
      severity: 'CRITICAL',
      key: 'validate:cross-timeframe:binance:BTC/USDT:1h:15m',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      text: 'BTC/USDT 1h: 2 candles disagree with the 15m candles they span (first at 2024-06-01 02:00Z: volume)',
      details: { fineTimeframe: '15m', count: 2, firstExampleMs: at, field: 'volume' },
    });
  });

  it('works without an example', () => {
    const finding = crossTimeframeFinding({ ...series, timeframe: '1d' }, '4h', 1);
    expect(finding?.text).toBe('BTC/USDT 1d: 1 candle disagrees with the 4h candles it spans');
    expect(finding?.details).toEqual({ fineTimeframe: '4h', count: 1 });
  });
});
