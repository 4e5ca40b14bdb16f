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

/** Parquet writer options shared by every dataset. */
export const PARQUET_COPY_OPTIONS = "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2";
