import { describe, expect, it } from 'vitest';
import { rsi } from '../../../lib/indicators/index.ts';
import { expectSeries } from './series-assert.ts';

describe('rsi', () => {
  it.each([
    // Changes +1, +1: gain 1, loss 0 -> 100. Then −1: gain (1·1+0)/2 = 0.5, loss (0·1+1)/2 = 0.5 -> 50.
    ['seed then Wilder smoothing', [1, 2, 3, 2], 2, [null, null, 100, 50]],
    // Changes +2, −1, +3: seed gain 1, loss 0.5 -> 66.67; then gain (1·1+3)/2 = 2, loss 0.25 -> 88.89.
    ['mixed changes', [10, 12, 11, 14], 2, [null, null, 200 / 3, 800 / 9]],
    ['only gains is 100', [1, 2, 3, 4, 5], 3, [null, null, null, 100, 100]],
    ['only losses is 0', [5, 4, 3, 2, 1], 3, [null, null, null, 0, 0]],
    ['no change at all is 0, as TA-Lib', [7, 7, 7, 7], 2, [null, null, 0, 0]],
    ['first value at index period', [1, 2], 2, [null, null]],
  ] as const)('%s', (_name, close, period, expected) => {
    expectSeries(rsi(close, period), expected, 10);
  });

  it('defaults to period 14', () => {
    const close = Array.from({ length: 16 }, (_, i) => 100 + (i % 3));
    const out = rsi(close);
    expect(Number.isNaN(out[13]!)).toBe(true);
    expect(Number.isNaN(out[14]!)).toBe(false);
  });

  it('turns NaN for good after a NaN past the start', () => {
    const out = rsi([1, 2, 3, Number.NaN, 5, 6], 2);
    expect(out[2]).toBe(100);
    expect(Array.from(out.subarray(3)).every(Number.isNaN)).toBe(true);
  });

  it('keeps a real value for assets priced in tiny units (TA-Lib would call these sums zero)', () => {
    // The 'mixed changes' case scaled by 1e-15: same RSI. TA-Lib's 1e-14 zero test gives 0 here.
    expectSeries(rsi([10e-15, 12e-15, 11e-15, 14e-15], 2), [null, null, 200 / 3, 800 / 9], 8);
  });
});
