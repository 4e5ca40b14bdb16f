/**
 * Wilder's true range: the bar's range widened to include a gap from the previous close. ATR
 * smooths it; strategies also use it bare for position sizing.
 */
import { nanArray } from './series.ts';
import { assertSameLength } from './validate.ts';

/**
 * True range of every bar: `max(high - low, |high - prevClose|, |low - prevClose|)`. Index 0 has no
 * previous close and is NaN, as in TA-Lib's `TRANGE` (some platforms use `high - low` there).
 * Non-finite inputs give NaN for the bars that use them.
 *
 * @example
 * trueRange([10, 12], [9, 11], [9.5, 11.5]) // Float64Array [NaN, 2.5] (gap up from 9.5 to a 12 high)
 */
export function trueRange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  assertSameLength({ high, low, close });
  const n = high.length;
  const out = nanArray(n);
  for (let i = 1; i < n; i++) out[i] = trueRangeAt(high, low, close, i);
  return out;
}

/**
 * True range of bar `i` (i ≥ 1), with no argument checks: the inner step of `trueRange` and `atr`.
 * NaN in any input gives NaN (TA-Lib ignores a NaN previous close; we would rather not guess).
 *
 * @example
 * trueRangeAt([10, 12], [9, 11], [9.5, 11.5], 1) // 2.5
 */
export function trueRangeAt(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  i: number,
): number {
  const h = high[i]!;
  const l = low[i]!;
  const prevClose = close[i - 1]!;
  const range = h - l;
  const upGap = Math.abs(prevClose - h);
  const downGap = Math.abs(prevClose - l);
  // Math.max returns NaN if any argument is NaN, which is the propagation we document.
  return Math.max(range, upGap, downGap);
}
