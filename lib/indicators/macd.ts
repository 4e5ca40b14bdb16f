/**
 * MACD (Gerald Appel): the fast EMA minus the slow EMA, its EMA as the signal line, and their
 * difference as the histogram. Seeded as TA-Lib seeds it, so values match TA-Lib's `MACD`.
 */
import { emaInto } from './ema.ts';
import { firstFiniteIndex, nanArray } from './series.ts';
import type { MacdLines } from './types.ts';
import { assertPeriod } from './validate.ts';

/**
 * MACD with TA-Lib's seeding. Both EMAs start at index `slow - 1`: the slow EMA is seeded with the
 * mean of closes [0, slow - 1], and the fast EMA — as in TA-Lib, not as a standalone
 * `ema(close, fast)` would be — with the mean of the `fast` closes ending there,
 * [slow - fast, slow - 1]. So `macd` is defined from index `slow - 1`. The signal is the EMA of the
 * macd line from that first value, seeded with the mean of its first `signal` values, so `signal`
 * and `histogram` start at index `slow + signal - 2` (33 for 12/26/9).
 *
 * Alignment differs from TA-Lib in one way: TA-Lib blanks the macd line until the signal exists
 * (index 33 for 12/26/9); we give it from index `slow - 1` (25). Wherever TA-Lib has a value,
 * ours is the same. Leading NaNs in `close` are skipped (all indices shift by their count); a NaN
 * after that makes every later value NaN.
 *
 * @example
 * const { macd: line, signal, histogram } = macd(close, 12, 26, 9);
 * // line[25] is the first value; signal[33] and histogram[33] are the first of theirs
 */
export function macd(close: ArrayLike<number>, fast = 12, slow = 26, signal = 9): MacdLines {
  assertPeriod(fast, 'fast');
  assertPeriod(slow, 'slow');
  assertPeriod(signal, 'signal');
  if (fast >= slow) {
    throw new RangeError(`fast must be less than slow, got fast=${fast} and slow=${slow}`);
  }
  const n = close.length;
  const start = firstFiniteIndex(close);
  const first = start + slow - 1;
  const fastLine = nanArray(n);
  const slowLine = nanArray(n);
  emaInto(close, slow, start, slowLine);
  emaInto(close, fast, start + slow - fast, fastLine);

  const line = nanArray(n);
  for (let i = first; i < n; i++) line[i] = fastLine[i]! - slowLine[i]!;
  const signalLine = nanArray(n);
  emaInto(line, signal, first, signalLine);
  const histogram = nanArray(n);
  for (let i = first + signal - 1; i < n; i++) histogram[i] = line[i]! - signalLine[i]!;
  return { macd: line, signal: signalLine, histogram };
}
