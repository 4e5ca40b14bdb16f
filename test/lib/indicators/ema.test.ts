import { describe, expect, it } from 'vitest';
import { ema } from '../../../lib/indicators/index.ts';
import { expectSeries } from './series-assert.ts';

describe('ema', () => {
  it.each([
    // Seed = SMA of the first 3 (2), alpha = 2/(3+1) = 0.5: 2 + 0.5·(4−2) = 3, then 3 + 0.5·(5−3) = 4.
    ['EMA(3) of 1..5: seed then alpha 0.5', [1, 2, 3, 4, 5], 3, [null, null, 2, 3, 4]],
    // Seed 10 at index 3, alpha 0.4: 10 + 0.4·(20−10) = 14, 14 + 0.4·(4−14) = 10.
    ['EMA(4) seeded with the mean of the first four', [4, 8, 12, 16, 20, 4], 4, [null, null, null, 10, 14, 10]],
    ['period 1 is the input', [3, 1, 2], 1, [3, 1, 2]],
    ['too short for the seed', [1, 2], 3, [null, null]],
  ] as const)('%s', (_name, values, period, expected) => {
    expectSeries(ema(values, period), expected, 12);
  });

  it('skips leading NaNs, seeding at the first finite value', () => {
    expectSeries(ema([Number.NaN, Number.NaN, 1, 2, 3, 4], 3), [null, null, null, null, 2, 3], 12);
  });

  it('turns NaN for good after a NaN past the start', () => {
    const out = ema([1, 2, 3, Number.NaN, 5, 6], 2);
    expect(out[2]).toBeCloseTo(2.5, 12);
    expect(Array.from(out.subarray(3)).every(Number.isNaN)).toBe(true);
  });
});
