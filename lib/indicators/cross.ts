/**
 * Crossover tests for strategies: did one series cross another (or a fixed level) on this bar.
 * Called once per bar inside backtest loops, so they allocate nothing and check nothing.
 */

/**
 * True when `a` crosses above `b` on bar `i`: `a[i-1] < b[i-1]` and `a[i] > b[i]`. Both
 * inequalities are strict, so touching (equal on either bar) is not a cross, and a NaN on either
 * bar never crosses (every comparison with NaN is false). `b` may be a number for a fixed level,
 * e.g. RSI crossing 30. False for `i < 1` and for `i` past the end.
 *
 * @example
 * crossover([1, 3], [2, 2], 1) // true
 * crossover([2, 3], [2, 2], 1) // false: equal on the previous bar
 * crossover(rsiValues, 30, i)  // RSI crossing up through 30
 */
export function crossover(a: ArrayLike<number>, b: ArrayLike<number> | number, i: number): boolean {
  if (i < 1) return false;
  // Out-of-range reads give undefined, and comparisons with undefined are false like NaN's.
  const bPrev = typeof b === 'number' ? b : (b[i - 1] as number);
  const bNow = typeof b === 'number' ? b : (b[i] as number);
  return (a[i - 1] as number) < bPrev && (a[i] as number) > bNow;
}

/**
 * True when `a` crosses below `b` on bar `i`: `a[i-1] > b[i-1]` and `a[i] < b[i]`, with the same
 * strictness and NaN rule as `crossover`.
 *
 * @example
 * crossunder([3, 1], [2, 2], 1) // true
 * crossunder([3, 2], [2, 2], 1) // false: equal on this bar
 */
export function crossunder(a: ArrayLike<number>, b: ArrayLike<number> | number, i: number): boolean {
  if (i < 1) return false;
  const bPrev = typeof b === 'number' ? b : (b[i - 1] as number);
  const bNow = typeof b === 'number' ? b : (b[i] as number);
  return (a[i - 1] as number) > bPrev && (a[i] as number) < bNow;
}
