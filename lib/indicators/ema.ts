/**
 * Exponential moving average with alpha = 2 / (period + 1), seeded TA-Lib's way: the first value
 * is the simple mean of the first `period` inputs, so the output does not depend on an arbitrary
 * starting value and matches TA-Lib's `EMA` to the last few ulps.
 */
import { firstFiniteIndex, nanArray } from './series.ts';
import { assertPeriod } from './validate.ts';

/**
 * Exponential moving average. The first value is at index `start + period - 1`, where `start` is
 * the first finite input (0 for a price series): it is the SMA of the first `period` inputs, and
 * each later value is `prev + alpha * (x - prev)`. Leading NaNs (an upstream indicator's warm-up)
 * are skipped, as TA-Lib does; a NaN after that makes every later value NaN, since the recursion
 * has nothing to recover from.
 *
 * @example
 * ema([1, 2, 3, 4, 5], 3) // Float64Array [NaN, NaN, 2, 3, 4] (seed 2, alpha 0.5)
 */
export function ema(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod(period, 'period');
  const out = nanArray(values.length);
  emaInto(values, period, firstFiniteIndex(values), out);
  return out;
}

/**
 * Writes the EMA of `values[start..]` into `out[start + period - 1 ..]`, seeded with the mean of
 * `values[start .. start + period - 1]`; leaves `out` untouched where there is too little data.
 * MACD uses it to seed its fast EMA later than index 0, as TA-Lib does.
 *
 * @example
 * const out = nanArray(5);
 * emaInto([9, 1, 2, 3, 4], 2, 1, out) // out: [NaN, NaN, 1.5, 2.5, 3.5]
 */
export function emaInto(values: ArrayLike<number>, period: number, start: number, out: Float64Array): void {
  const n = values.length;
  const seedEnd = start + period - 1;
  if (seedEnd >= n) return;
  const alpha = 2 / (period + 1);
  let seedSum = 0;
  for (let i = start; i <= seedEnd; i++) seedSum += values[i]!;
  let prev = seedSum / period;
  out[seedEnd] = prev;
  for (let i = seedEnd + 1; i < n; i++) {
    // TA-Lib's form, kept so our values round the same way as the reference.
    prev = (values[i]! - prev) * alpha + prev;
    out[i] = prev;
  }
}
