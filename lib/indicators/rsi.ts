/**
 * Wilder's Relative Strength Index (New Concepts in Technical Trading Systems, 1978), computed as
 * TA-Lib computes it so the features dataset matches what most trading code expects.
 */
import { firstFiniteIndex, nanArray } from './series.ts';
import { assertPeriod } from './validate.ts';

/**
 * Wilder's RSI on a 0–100 scale. The average gain and loss are seeded with the simple mean of the
 * first `period` close-to-close changes, then smoothed as `avg = (prev * (period - 1) + x) / period`.
 * The first value is at index `period` (after any leading NaNs, which are skipped); a NaN after
 * that makes every later value NaN.
 *
 * Edge cases, as TA-Lib: no losses gives 100; no gains gives 0; no change at all (both averages
 * exactly 0, e.g. a flat market since the start) gives 0. Other libraries differ on that last one
 * (TradingView and `ta` give 100, pandas-ta NaN), so a strategy that buys "oversold" should not
 * treat a flat series as a signal. TA-Lib calls a sum below 1e-14 zero; we test for exact zero, so
 * assets priced in tiny units keep a real RSI.
 *
 * @example
 * rsi([1, 2, 3, 2], 2) // Float64Array [NaN, NaN, 100, 50]
 */
export function rsi(close: ArrayLike<number>, period = 14): Float64Array {
  assertPeriod(period, 'period');
  const n = close.length;
  const out = nanArray(n);
  const start = firstFiniteIndex(close);
  if (start + period >= n) return out;

  let avgGain = 0;
  let avgLoss = 0;
  for (let i = start + 1; i <= start + period; i++) {
    const change = close[i]! - close[i - 1]!;
    if (change < 0) avgLoss -= change;
    else avgGain += change;
  }
  avgGain /= period;
  avgLoss /= period;
  out[start + period] = rsiValue(avgGain, avgLoss);

  for (let i = start + period + 1; i < n; i++) {
    const change = close[i]! - close[i - 1]!;
    // Same operation order as TA-Lib (scale, add, divide) so values round identically.
    avgGain *= period - 1;
    avgLoss *= period - 1;
    if (change < 0) avgLoss -= change;
    else avgGain += change;
    avgGain /= period;
    avgLoss /= period;
    out[i] = rsiValue(avgGain, avgLoss);
  }
  return out;
}

/**
 * 100·G/(G+L) equals 100 − 100/(1 + G/L) and needs no special case when L = 0; it is also
 * TA-Lib's form, so values round the same way. A NaN total stays NaN (it is not `=== 0`).
 */
function rsiValue(avgGain: number, avgLoss: number): number {
  const total = avgGain + avgLoss;
  return total === 0 ? 0 : 100 * (avgGain / total);
}
