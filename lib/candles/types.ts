/** The candle as candlelake handles it in memory: UTC open time in ms, prices and volume as numbers. */

export interface Candle {
  /** Open time, ms since epoch, UTC, aligned to the timeframe. */
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
}

/** A row as the exchange client returned it, before any check: `[time, o, h, l, c, v]`, any field may be missing. */
export type RawCandle = ReadonlyArray<number | undefined | null>;

/** Why a row was refused. Counted per run; rejected rows are never written. */
export type RejectReason =
  | 'non-numeric'
  | 'high-below-low'
  | 'ohlc-outside-range'
  | 'negative-volume'
  | 'misaligned-time';
