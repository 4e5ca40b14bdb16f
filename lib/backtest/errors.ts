/** Errors of the backtest engine that are the user's to fix: the CLI prints them in one line and exits 2. */

/** Bad input data: missing columns, unsorted or duplicate timestamps, NaN prices. */
export class BarsInputError extends Error {
  override readonly name = 'BarsInputError';
}

/** An unknown strategy, parameter, or an invalid parameter value or grid. */
export class StrategyInputError extends Error {
  override readonly name = 'StrategyInputError';
}
