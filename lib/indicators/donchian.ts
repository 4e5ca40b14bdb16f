/**
 * Donchian channel: the highest high and lowest low of the last `period` bars, in O(n) with a
 * monotonic deque (each bar enters and leaves the deque once), so long periods in a parameter grid
 * cost no more than short ones.
 */
import { nanArray } from './series.ts';
import type { DonchianChannel } from './types.ts';
import { assertPeriod, assertSameLength } from './validate.ts';

/**
 * Donchian channel over the last `period` bars INCLUDING the current one: `upper[i]` is the max of
 * `high[i - period + 1 .. i]`, `lower[i]` the min of `low` over the same bars, `middle` their
 * mean. A breakout rule "close above the channel of the previous bars" must compare `close[i]`
 * with `upper[i - 1]`: against `upper[i]` a close can never exceed the high it is part of. The
 * first value is at index `period - 1`. A window holding a non-finite high gives a NaN upper (and
 * middle), one holding a non-finite low a NaN lower (and middle); values return once it has left.
 *
 * @example
 * donchian([3, 5, 4, 2], [1, 2, 3, 1], 2)
 * // upper [NaN, 5, 5, 4], lower [NaN, 1, 2, 1], middle [NaN, 3, 3.5, 2.5]
 */
export function donchian(high: ArrayLike<number>, low: ArrayLike<number>, period = 20): DonchianChannel {
  assertPeriod(period, 'period');
  assertSameLength({ high, low });
  const upper = rollingExtreme(high, period, true);
  const lower = rollingExtreme(low, period, false);
  const n = high.length;
  const middle = nanArray(n);
  for (let i = period - 1; i < n; i++) middle[i] = (upper[i]! + lower[i]!) / 2;
  return { upper, lower, middle };
}

/**
 * Rolling max (or min) over `period` values including the current one. The deque holds indices
 * of the window whose values strictly decrease (increase for min) from front to back: the front
 * is the answer, and a new value evicts from the back every value it dominates, since those can
 * never be the extreme again. A ring buffer of `period` slots suffices because expired indices
 * leave from the front before each push.
 */
function rollingExtreme(values: ArrayLike<number>, period: number, wantMax: boolean): Float64Array {
  const n = values.length;
  const out = nanArray(n);
  const deque = new Int32Array(period);
  let head = 0;
  let size = 0;
  let lastMissing = -period; // index of the latest non-finite value; "long ago" to start
  for (let i = 0; i < n; i++) {
    // At most one index (i - period) can expire per step.
    if (size > 0 && deque[head]! <= i - period) {
      head = head + 1 === period ? 0 : head + 1;
      size--;
    }
    const x = values[i]!;
    if (Number.isFinite(x)) {
      while (size > 0) {
        let back = head + size - 1;
        if (back >= period) back -= period;
        const v = values[deque[back]!]!;
        if (wantMax ? v > x : v < x) break;
        size--;
      }
      let tail = head + size;
      if (tail >= period) tail -= period;
      deque[tail] = i;
      size++;
    } else {
      lastMissing = i;
    }
    if (i >= period - 1 && i - lastMissing >= period) out[i] = values[deque[head]!]!;
  }
  return out;
}
