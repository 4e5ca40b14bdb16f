/**
 * The lake's datasets and their schemas. This is the contract readers (the live trader
 * included) rely on; README.md renders the same table.
 */

/** Column of a dataset as stored in Parquet. */
export interface ColumnSpec {
  name: string;
  type: string;
  doc: string;
}

/**
 * `ohlcv`: closed candles exactly as the exchange reported them, one row per open time.
 * Partition columns (from the path): exchange, timeframe, symbol (`BTC-USDT`), year.
 */
export const OHLCV_COLUMNS: readonly ColumnSpec[] = [
  { name: 'open_time', type: 'TIMESTAMP', doc: 'candle open time, UTC (naive timestamp, microsecond unit), aligned to the timeframe' },
  { name: 'open', type: 'DECIMAL(18|38,s)', doc: 'first trade price; s = decimals the prices in this file carry' },
  { name: 'high', type: 'DECIMAL(18|38,s)', doc: 'highest trade price' },
  { name: 'low', type: 'DECIMAL(18|38,s)', doc: 'lowest trade price' },
  { name: 'close', type: 'DECIMAL(18|38,s)', doc: 'last trade price' },
  { name: 'volume', type: 'DECIMAL(18|38,v)', doc: 'base-asset volume; v = decimals the volumes in this file carry' },
];

/** `markets`: the exchange's market metadata, one snapshot per UTC day. Partitions: exchange, date. */
export const MARKETS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'symbol', type: 'VARCHAR', doc: 'unified symbol, BASE/QUOTE' },
  { name: 'exchange_symbol', type: 'VARCHAR', doc: "the exchange's id, e.g. BTCUSDT" },
  { name: 'base', type: 'VARCHAR', doc: 'base asset' },
  { name: 'quote', type: 'VARCHAR', doc: 'quote asset' },
  { name: 'status', type: 'VARCHAR', doc: 'exchange status (TRADING, BREAK, …)' },
  { name: 'active', type: 'BOOLEAN', doc: 'tradable now' },
  { name: 'tick_size', type: 'DOUBLE', doc: 'price increment' },
  { name: 'lot_step', type: 'DOUBLE', doc: 'quantity increment; the backtest rounds sizes down to it' },
  { name: 'min_qty', type: 'DOUBLE', doc: 'smallest order quantity' },
  { name: 'min_notional', type: 'DOUBLE', doc: 'smallest order value in the quote asset' },
  { name: 'fetched_at', type: 'TIMESTAMP', doc: 'when the snapshot was taken, UTC' },
];

/**
 * `fear_greed`: alternative.me's Fear & Greed Index, one row per UTC day.
 * Partition columns (from the path): source (`alternative.me`), year.
 */
export const FEAR_GREED_COLUMNS: readonly ColumnSpec[] = [
  { name: 'date', type: 'DATE', doc: 'the day (UTC) the value stands for' },
  { name: 'value', type: 'SMALLINT', doc: 'the index, 0 = extreme fear … 100 = extreme greed' },
  { name: 'classification', type: 'VARCHAR', doc: 'Extreme Fear, Fear, Neutral, Greed or Extreme Greed' },
];

/**
 * `funding`: funding events of the USDT-margined perpetual of a spot symbol, one row per event.
 * Partition columns: exchange, symbol (the spot symbol, `BTC-USDT`), year.
 */
export const FUNDING_COLUMNS: readonly ColumnSpec[] = [
  { name: 'funding_time', type: 'TIMESTAMP', doc: 'when the funding was settled, UTC (naive timestamp), as the exchange reported it' },
  { name: 'funding_rate', type: 'DOUBLE', doc: 'rate paid by longs to shorts for the interval (0.0001 = 0.01 %)' },
  { name: 'mark_price', type: 'DOUBLE', doc: 'mark price at the event; NULL when the exchange gave none' },
];

/**
 * `open_interest`: open interest of a perpetual at the end of each period.
 * Partition columns: exchange, period (`1h`, …), symbol (the spot symbol), year.
 */
export const OPEN_INTEREST_COLUMNS: readonly ColumnSpec[] = [
  { name: 'time', type: 'TIMESTAMP', doc: 'the time the exchange stamped the value with, UTC (naive timestamp)' },
  { name: 'open_interest', type: 'DOUBLE', doc: 'open contracts, in the base asset' },
  { name: 'open_interest_value', type: 'DOUBLE', doc: 'open contracts, valued in the quote asset' },
];

/**
 * `long_short_ratio`: share of accounts long and short on a perpetual at the end of each period.
 * Partition columns: exchange, period, symbol (the spot symbol), year.
 */
export const LONG_SHORT_RATIO_COLUMNS: readonly ColumnSpec[] = [
  { name: 'time', type: 'TIMESTAMP', doc: 'the time the exchange stamped the value with, UTC (naive timestamp)' },
  { name: 'long_short_ratio', type: 'DOUBLE', doc: 'long accounts / short accounts' },
  { name: 'long_account', type: 'DOUBLE', doc: 'share of accounts net long, 0..1' },
  { name: 'short_account', type: 'DOUBLE', doc: 'share of accounts net short, 0..1' },
];

/**
 * `macro`: observations of a FRED series (missing values left out), one row per date.
 * Partition columns: source (`fred`), series (`DGS10`, …), year.
 */
export const MACRO_COLUMNS: readonly ColumnSpec[] = [
  { name: 'date', type: 'DATE', doc: 'the observation date' },
  { name: 'value', type: 'DOUBLE', doc: 'the observation, in the series\' unit' },
];

/**
 * The stored columns of each sentiment dataset, time column first (what the sentiment store
 * writes, lib/lake/sentiment-store.ts), by the `dataset=` segment.
 */
export const SENTIMENT_COLUMNS = {
  fear_greed: FEAR_GREED_COLUMNS,
  funding: FUNDING_COLUMNS,
  open_interest: OPEN_INTEREST_COLUMNS,
  long_short_ratio: LONG_SHORT_RATIO_COLUMNS,
  macro: MACRO_COLUMNS,
} as const satisfies Record<string, readonly ColumnSpec[]>;

/** Parquet writer options shared by every dataset. */
export const PARQUET_COPY_OPTIONS = "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2";
