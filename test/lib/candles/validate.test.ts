import { describe, expect, it } from 'vitest';
import { rejectReason, screenCandles } from '../../../lib/candles/validate.ts';

const H = 3_600_000;
const base = Date.UTC(2024, 0, 1);

describe('rejectReason', () => {
  it.each([
    ['a sound candle', [base, 10, 12, 9, 11, 5], undefined],
    ['a non-numeric price', [base, 10, undefined, 9, 11, 5], 'non-numeric'],
    ['NaN volume', [base, 10, 12, 9, 11, Number.NaN], 'non-numeric'],
    ['high below low', [base, 10, 8, 9, 8.5, 5], 'high-below-low'],
    ['open above high', [base, 13, 12, 9, 11, 5], 'ohlc-outside-range'],
    ['close below low', [base, 10, 12, 9, 8, 5], 'ohlc-outside-range'],
    ['negative volume', [base, 10, 12, 9, 11, -1], 'negative-volume'],
    ['a time off the hour', [base + 60_000, 10, 12, 9, 11, 5], 'misaligned-time'],
    ['zero volume', [base, 10, 10, 10, 10, 0], undefined],
  ] as const)('%s -> %s', (_name, row, expected) => {
    expect(rejectReason(row, '1h')).toBe(expected);
  });
});

describe('screenCandles', () => {
  it('keeps closed sound candles once each, sorted, and counts the rest', () => {
    const now = base + 3 * H + 10;
    const rows = [
      [base + H, 1, 2, 0.5, 1.5, 3],
      [base, 1, 2, 0.5, 1.5, 3],
      [base + H, 1, 2, 0.5, 1.5, 3], // overlap repeat
      [base + 2 * H, 1, 0.4, 0.5, 1.5, 3], // high < low
      [base + 2 * H + 5, 1, 2, 0.5, 1.5, 3], // misaligned
      [base + 3 * H, 1, 2, 0.5, 1.5, 3], // unfinished
    ];
    const out = screenCandles(rows, '1h', now);
    expect(out.accepted.map((c) => c.openTimeMs)).toEqual([base, base + H]);
    expect(out.rejected).toEqual({ 'high-below-low': 1, 'misaligned-time': 1 });
    expect(out.unfinished).toBe(1);
    expect(out.duplicates).toBe(1);
    expect(out.accepted[0]).toEqual({ openTimeMs: base, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });
  });
});
