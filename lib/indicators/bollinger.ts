/**
 * Bollinger Bands: an SMA with bands k population standard deviations (ddof 0, as TA-Lib,
 * Bollinger himself and most charting platforms use) above and below it.
 *
 * Variance in O(n) without losing digits. The textbook rolling form E[x²] − E[x]² cancels
 * catastrophically for prices like 60 000 with a spread of a few units (TA-Lib uses it and keeps
 * only about half of a double's digits there). We keep rolling sums of `x − anchor` and
 * `(x − anchor)²` instead, the anchor being a recent close, so the terms are the size of the spread
 * rather than of the price; and every `period` bars we move the anchor to the current close and
 * recompute both sums over the window exactly. That costs O(period) once per `period` bars, O(1)
 * per bar amortised, and caps rounding drift at `period` updates.
 */
import { nanArray } from './series.ts';
import { sma } from './sma.ts';
import type { BollingerBands } from './types.ts';
import { assertNonNegative, assertPeriod } from './validate.ts';

/**
 * Bollinger Bands over `period` bars with bands at `middle ± k·σ`, σ the population standard
 * deviation of the window. `middle` is exactly `sma(close, period)`. The first value is at index
 * `period - 1`; a window containing a non-finite close is NaN in all three lines.
 *
 * @example
 * bollinger([1, 2, 3, 4], 2, 2)
 * // middle [NaN, 1.5, 2.5, 3.5], upper [NaN, 2.5, 3.5, 4.5], lower [NaN, 0.5, 1.5, 2.5] (σ = 0.5)
 */
export function bollinger(close: ArrayLike<number>, period = 20, k = 2): BollingerBands {
  assertPeriod(period, 'period');
  assertNonNegative(k, 'k');
  const n = close.length;
  const middle = sma(close, period);
  const upper = nanArray(n);
  const lower = nanArray(n);

  let anchor = 0;
  let sumDev = 0;
  let sumDevSq = 0;
  for (let i = period - 1; i < n; i++) {
    if ((i - period + 1) % period === 0) {
      // Re-anchor: recompute both sums over the window [i - period + 1, i] from scratch.
      const x = close[i]!;
      if (Number.isFinite(x)) anchor = x;
      sumDev = 0;
      sumDevSq = 0;
      for (let j = i - period + 1; j <= i; j++) {
        const v = close[j]!;
        if (Number.isFinite(v)) {
          const d = v - anchor;
          sumDev += d;
          sumDevSq += d * d;
        }
      }
    } else {
      const entering = close[i]!;
      if (Number.isFinite(entering)) {
        const d = entering - anchor;
        sumDev += d;
        sumDevSq += d * d;
      }
      const leaving = close[i - period]!;
      if (Number.isFinite(leaving)) {
        const d = leaving - anchor;
        sumDev -= d;
        sumDevSq -= d * d;
      }
    }
    const mid = middle[i]!;
    // NaN middle means the window holds a non-finite close (the sums skipped it): no bands.
    if (Number.isNaN(mid)) continue;
    const meanDev = sumDev / period;
    // Clamp: rounding can leave a constant window a hair below zero.
    const variance = Math.max(0, sumDevSq / period - meanDev * meanDev);
    const width = k * Math.sqrt(variance);
    upper[i] = mid + width;
    lower[i] = mid - width;
  }
  return { middle, upper, lower };
}
