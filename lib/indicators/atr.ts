/**
 * Wilder's Average True Range, with TA-Lib's seed and alignment so stop distances computed in a
 * backtest match those the live trader reads from the features dataset.
 */
import { firstFiniteIndex, nanArray } from './series.ts';
import { trueRangeAt } from './true-range.ts';
import { assertPeriod, assertSameLength } from './validate.ts';

/**
 * Wilder's ATR. True range starts at index 1 (it needs a previous close), so the first ATR is at
 * index `period`: the simple mean of TR[1..period]. Later values are
 * `(prev * (period - 1) + TR) / period`. `atr(h, l, c, 1)` is the true range itself. Leading bars
 * where any of high/low/close is NaN are skipped; a NaN after that makes every later value NaN.
 *
 * @example
 * atr([10, 11, 12], [9, 10, 10], [9.5, 10.5, 11], 2) // Float64Array [NaN, NaN, 1.75] (TRs 1.5 and 2)
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  assertPeriod(period, 'period');
  assertSameLength({ high, low, close });
  const n = high.length;
  const out = nanArray(n);
  const start = firstFiniteIndex(high, low, close);
  if (start + period >= n) return out;

  let seedSum = 0;
  for (let i = start + 1; i <= start + period; i++) seedSum += trueRangeAt(high, low, close, i);
  let prev = seedSum / period;
  out[start + period] = prev;
  for (let i = start + period + 1; i < n; i++) {
    // TA-Lib's operation order (scale, add, divide), so values round the same way.
    prev *= period - 1;
    prev += trueRangeAt(high, low, close, i);
    prev /= period;
    out[i] = prev;
  }
  return out;
}
