/**
 * The two facts about a series every indicator needs before its loop: an output buffer whose
 * warm-up is already NaN, and the bar where the input's data starts (after an upstream
 * indicator's own NaN warm-up).
 */

/**
 * A Float64Array of `length` filled with NaN, so a loop only writes the positions that have a value.
 * @example nanArray(3) // Float64Array [NaN, NaN, NaN]
 */
export function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

/**
 * Index of the first bar at which every given series is finite, or the common length if none is.
 * Recursive indicators start there, so `ema(rsi(close), 9)` works over the RSI's warm-up.
 * @example firstFiniteIndex([NaN, NaN, 3, 4]) // 2
 */
export function firstFiniteIndex(...series: ArrayLike<number>[]): number {
  const length = series[0]?.length ?? 0;
  for (let i = 0; i < length; i++) {
    let allFinite = true;
    for (const values of series) {
      if (!Number.isFinite(values[i]!)) {
        allFinite = false;
        break;
      }
    }
    if (allFinite) return i;
  }
  return length;
}
