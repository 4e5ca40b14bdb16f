/**
 * Simple moving average: the mean of the last `period` values, including the current one.
 *
 * Computed as a rolling sum in O(n). A plain rolling sum (add the new value, subtract the one
 * leaving) accumulates rounding error for as long as the series runs, and one huge outlier leaves
 * its rounding error behind after it has left the window. We keep the sum with Neumaier
 * compensation instead: two extra additions per term, no branches beyond one comparison, and the
 * result stays within a few ulps of the correctly rounded window sum whatever came before, so a
 * backtest over years of bars and the live trader over the last few hundred agree.
 */
import { nanArray } from './series.ts';
import { assertPeriod } from './validate.ts';

/**
 * Simple moving average over `period` bars. The first value is at index `period - 1`; earlier
 * positions are NaN. A window that contains a non-finite input (NaN, ±Infinity) is NaN, and values
 * come back once that input has left the window. (TA-Lib's rolling sum stays NaN for good after
 * one NaN; ours matches it everywhere else.)
 *
 * @example
 * sma([1, 2, 3, 4, 5, 6], 3) // Float64Array [NaN, NaN, 2, 3, 4, 5]
 */
export function sma(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod(period, 'period');
  const n = values.length;
  const out = nanArray(n);
  // Neumaier: `sum + compensation` is the window sum; `compensation` holds the low-order bits
  // each addition would otherwise have rounded away.
  let sum = 0;
  let compensation = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const entering = values[i]!;
    if (Number.isFinite(entering)) {
      const t = sum + entering;
      compensation += Math.abs(sum) >= Math.abs(entering) ? sum - t + entering : entering - t + sum;
      sum = t;
    } else {
      missing++;
    }
    if (i >= period) {
      const leaving = values[i - period]!;
      if (Number.isFinite(leaving)) {
        const t = sum - leaving;
        compensation += Math.abs(sum) >= Math.abs(leaving) ? sum - t - leaving : -leaving - t + sum;
        sum = t;
      } else {
        missing--;
      }
    }
    if (i >= period - 1 && missing === 0) out[i] = (sum + compensation) / period;
  }
  return out;
}
