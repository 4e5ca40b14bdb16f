/**
 * Argument checks shared by the indicators. They run once per call, at the boundary, so the
 * loops behind them can assume sound arguments; each error names the offending parameter.
 */

/**
 * Throws a RangeError unless `value` is an integer ≥ 1.
 * @example assertPeriod(14, 'period') // passes; assertPeriod(0, 'period') throws
 */
export function assertPeriod(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Throws a RangeError unless every series has the same length as the first.
 * @example assertSameLength({ high, low, close }) // throws "low has length 9 but high has length 10"
 */
export function assertSameLength(series: Record<string, ArrayLike<number>>): void {
  let firstName: string | undefined;
  let firstLength = 0;
  for (const [name, values] of Object.entries(series)) {
    if (firstName === undefined) {
      firstName = name;
      firstLength = values.length;
    } else if (values.length !== firstLength) {
      throw new RangeError(
        `${name} has length ${values.length} but ${firstName} has length ${firstLength}; they must be equal`,
      );
    }
  }
}

/**
 * Throws a RangeError unless `value` is a finite number ≥ 0.
 * @example assertNonNegative(2, 'k') // passes; assertNonNegative(-1, 'k') throws
 */
export function assertNonNegative(value: number, name: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
}
