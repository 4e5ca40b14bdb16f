/**
 * Result types of the indicators that return more than one line. Every array has the input's
 * length, oldest bar first, with `NaN` where the indicator has no value yet.
 */

/** Bollinger Bands: SMA middle, and the middle ± k population standard deviations. */
export interface BollingerBands {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
}

/** MACD: the fast-minus-slow EMA line, its EMA (the signal line), and their difference. */
export interface MacdLines {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/** Donchian channel: highest high and lowest low over a window that includes the current bar. */
export interface DonchianChannel {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}
