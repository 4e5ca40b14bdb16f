/**
 * SQL over the lake: DuckDB views on a local copy (or the folder itself for a `file://` lake).
 *
 * Views:
 * - `ohlcv(exchange, symbol, timeframe, open_time, open, high, low, close, volume)` — prices and
 *   volume as DOUBLE; `symbol` unified (`BTC/USDT`).
 * - `markets(exchange, date, symbol, exchange_symbol, base, quote, status, active, tick_size, lot_step,
 *   min_qty, min_notional, fetched_at)` — the newest daily snapshot per exchange.
 * - `features(exchange, symbol, timeframe, open_time, <one column per configured indicator>)` — the indicator layer.
 * - `backtest_runs`, `backtest_trades`, `backtest_equity` — results of backtest runs (lib/backtest/store-results.ts).
 * - The sentiment datasets (lib/lake/sentiment-store.ts; `symbol` unified, the spot symbol the
 *   perpetual belongs to, so they join with `ohlcv` on symbol and time):
 *   - `fear_greed(date DATE, value SMALLINT, classification VARCHAR)` — alternative.me, one row per day.
 *   - `funding(exchange, symbol, funding_time TIMESTAMP, funding_rate DOUBLE, mark_price DOUBLE)` — mark_price may be NULL.
 *   - `open_interest(exchange, symbol, period, time TIMESTAMP, open_interest DOUBLE, open_interest_value DOUBLE)`.
 *   - `long_short_ratio(exchange, symbol, period, time TIMESTAMP, long_short_ratio DOUBLE, long_account DOUBLE, short_account DOUBLE)`.
 *   - `macro(series, date DATE, value DOUBLE)` — FRED series (`DGS10`, …).
 *
 * `ohlcv`, `features` and the sentiment views read an explicit list of live parts
 * (lib/lake/live-parts.ts), never a raw glob: while compaction swaps parts, a compact part and
 * the parts it replaces are both stored, and a glob would count their rows twice. Staged objects
 * (`year=…/_staging/`) are never listed. A view over a dataset with no parts yet is empty but
 * typed, so queries naming it still run.
 *
 * An S3 lake is mirrored first ({@link LAKE_QUERY_PREFIXES}: `exchange=`, `dataset=` and the
 * sentiment sources' `source=`).
 */
import type { DuckDBConnection, Json } from '@duckdb/node-api';
import type { ObjectStore } from '../object-store/types.ts';
import { sharedDuckDb, sqlString } from './duckdb.ts';
import { parseOhlcvPartKey, sentimentPartsGlob, type PartRange, type SentimentDataset } from './keys.ts';
import { liveParts } from './live-parts.ts';
import { mirrorLake, type MirrorResult } from './local-mirror.ts';

export type QueryRow = Record<string, Json>;

async function hasFiles(connection: DuckDBConnection, pattern: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM glob(${sqlString(pattern)})`);
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}

const EMPTY_OHLCV =
  'SELECT NULL::VARCHAR AS exchange, NULL::VARCHAR AS symbol, NULL::VARCHAR AS timeframe, NULL::TIMESTAMP AS open_time, ' +
  'NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low, NULL::DOUBLE AS close, NULL::DOUBLE AS volume WHERE false';

const EMPTY_MARKETS =
  'SELECT NULL::VARCHAR AS exchange, NULL::DATE AS date, NULL::VARCHAR AS symbol, NULL::VARCHAR AS exchange_symbol, ' +
  'NULL::VARCHAR AS base, NULL::VARCHAR AS quote, NULL::VARCHAR AS status, NULL::BOOLEAN AS active, NULL::DOUBLE AS tick_size, ' +
  'NULL::DOUBLE AS lot_step, NULL::DOUBLE AS min_qty, NULL::DOUBLE AS min_notional, NULL::TIMESTAMP AS fetched_at WHERE false';

/** The top-level prefixes a query session mirrors from an S3 lake: every dataset the views read. */
export const LAKE_QUERY_PREFIXES: readonly string[] = ['exchange=', 'dataset=', 'source='];

/**
 * The sentiment views: each one's SELECT over a DuckDB list of live part files, the Hive
 * partition columns it reads from the path, and its empty typed stand-in.
 */
const SENTIMENT_VIEWS: Readonly<Record<SentimentDataset, { select: string; hiveTypes: string; empty: string }>> = {
  fear_greed: {
    select: 'date, value, classification',
    hiveTypes: "'source': VARCHAR, 'year': INTEGER",
    empty: 'NULL::DATE AS date, NULL::SMALLINT AS value, NULL::VARCHAR AS classification',
  },
  funding: {
    select: "exchange, replace(symbol, '-', '/') AS symbol, funding_time, funding_rate, mark_price",
    hiveTypes: "'exchange': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER",
    empty: 'NULL::VARCHAR AS exchange, NULL::VARCHAR AS symbol, NULL::TIMESTAMP AS funding_time, NULL::DOUBLE AS funding_rate, NULL::DOUBLE AS mark_price',
  },
  open_interest: {
    select: "exchange, replace(symbol, '-', '/') AS symbol, period, time, open_interest, open_interest_value",
    hiveTypes: "'exchange': VARCHAR, 'period': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER",
    empty:
      'NULL::VARCHAR AS exchange, NULL::VARCHAR AS symbol, NULL::VARCHAR AS period, NULL::TIMESTAMP AS time, ' +
      'NULL::DOUBLE AS open_interest, NULL::DOUBLE AS open_interest_value',
  },
  long_short_ratio: {
    select: "exchange, replace(symbol, '-', '/') AS symbol, period, time, long_short_ratio, long_account, short_account",
    hiveTypes: "'exchange': VARCHAR, 'period': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER",
    empty:
      'NULL::VARCHAR AS exchange, NULL::VARCHAR AS symbol, NULL::VARCHAR AS period, NULL::TIMESTAMP AS time, ' +
      'NULL::DOUBLE AS long_short_ratio, NULL::DOUBLE AS long_account, NULL::DOUBLE AS short_account',
  },
  macro: {
    select: 'series, date, value',
    hiveTypes: "'source': VARCHAR, 'series': VARCHAR, 'year': INTEGER",
    empty: 'NULL::VARCHAR AS series, NULL::DATE AS date, NULL::DOUBLE AS value',
  },
};

/** Options for {@link createLakeViews}. */
export interface LakeViewOptions {
  /** Object keys to leave out of the views (e.g. a corrupt part the validate job found). */
  excludeKeys?: ReadonlySet<string>;
}

/**
 * The live parts under a glob of year folders, minus excluded keys, as a DuckDB list literal;
 * `undefined` when there are none. Exclusion comes first: a part taken out of the lake (a corrupt
 * compact part) no longer supersedes the parts it replaced, as for readers that list the store.
 */
async function livePartsSource(connection: DuckDBConnection, rootDir: string, pattern: string, exclude?: ReadonlySet<string>): Promise<string | undefined> {
  const reader = await connection.runAndReadAll(`SELECT file FROM glob(${sqlString(pattern)})`);
  const parts = reader.getRows()
    .map((r) => String(r[0]).slice(rootDir.length + 1))
    .filter((key) => !exclude?.has(key))
    .map(parseOhlcvPartKey)
    .filter((p): p is PartRange => p !== undefined);
  const live = liveParts(parts);
  if (live.length === 0) return undefined;
  return `[${live.map((p) => sqlString(`${rootDir}/${p.key}`)).join(', ')}]`;
}

/** Creates the lake views on `connection` over the folder `rootDir`. */
export async function createLakeViews(connection: DuckDBConnection, rootDir: string, options: LakeViewOptions = {}): Promise<void> {
  const ohlcvGlob = `${rootDir}/exchange=*/dataset=ohlcv/timeframe=*/symbol=*/year=*/*.parquet`;
  const ohlcvFiles = await livePartsSource(connection, rootDir, ohlcvGlob, options.excludeKeys);
  const ohlcv = ohlcvFiles !== undefined
    ? // union_by_name: each part carries its own exact DECIMAL scale, and DuckDB would otherwise
      // cast every file to the first file's type.
      `SELECT exchange, replace(symbol, '-', '/') AS symbol, timeframe, open_time, open::DOUBLE AS open, ` +
      `high::DOUBLE AS high, low::DOUBLE AS low, close::DOUBLE AS close, volume::DOUBLE AS volume ` +
      `FROM read_parquet(${ohlcvFiles}, hive_partitioning = true, union_by_name = true, ` +
      `hive_types = {'exchange': VARCHAR, 'timeframe': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER})`
    : EMPTY_OHLCV;
  await connection.run(`CREATE OR REPLACE TEMP VIEW ohlcv AS ${ohlcv}`);

  const marketsGlob = `${rootDir}/exchange=*/dataset=markets/date=*/*.parquet`;
  const markets = (await hasFiles(connection, marketsGlob))
    ? `SELECT exchange, date, symbol, exchange_symbol, base, quote, status, active, tick_size, lot_step, min_qty, ` +
      `min_notional, fetched_at FROM read_parquet(${sqlString(marketsGlob)}, hive_partitioning = true, union_by_name = true, ` +
      `hive_types = {'exchange': VARCHAR, 'date': DATE}) QUALIFY date = max(date) OVER (PARTITION BY exchange)`
    : EMPTY_MARKETS;
  await connection.run(`CREATE OR REPLACE TEMP VIEW markets AS ${markets}`);

  const featuresGlob = `${rootDir}/exchange=*/dataset=features/timeframe=*/symbol=*/year=*/*.parquet`;
  const featuresFiles = await livePartsSource(connection, rootDir, featuresGlob, options.excludeKeys);
  const features = featuresFiles !== undefined
    ? `SELECT exchange, replace(symbol, '-', '/') AS symbol, timeframe, * EXCLUDE (exchange, symbol, timeframe, year) ` +
      `FROM read_parquet(${featuresFiles}, hive_partitioning = true, union_by_name = true, ` +
      `hive_types = {'exchange': VARCHAR, 'timeframe': VARCHAR, 'symbol': VARCHAR, 'year': INTEGER})`
    : 'SELECT NULL::VARCHAR AS exchange, NULL::VARCHAR AS symbol, NULL::VARCHAR AS timeframe, NULL::TIMESTAMP AS open_time WHERE false';
  await connection.run(`CREATE OR REPLACE TEMP VIEW features AS ${features}`);

  for (const [dataset, view] of Object.entries(SENTIMENT_VIEWS) as Array<[SentimentDataset, (typeof SENTIMENT_VIEWS)[SentimentDataset]]>) {
    const files = await livePartsSource(connection, rootDir, `${rootDir}/${sentimentPartsGlob(dataset)}`, options.excludeKeys);
    const body = files !== undefined
      ? `SELECT ${view.select} FROM read_parquet(${files}, hive_partitioning = true, union_by_name = true, hive_types = {${view.hiveTypes}})`
      : `SELECT ${view.empty} WHERE false`;
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${dataset} AS ${body}`);
  }

  for (const dataset of ['backtest_runs', 'backtest_trades', 'backtest_equity']) {
    const glob = `${rootDir}/dataset=${dataset}/run_date=*/*.parquet`;
    const body = (await hasFiles(connection, glob))
      ? `SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, union_by_name = true, hive_types = {'run_date': DATE})`
      : 'SELECT NULL::VARCHAR AS run_id, NULL::DATE AS run_date, NULL::VARCHAR AS symbol, NULL::VARCHAR AS timeframe, ' +
        'NULL::VARCHAR AS strategy, NULL::VARCHAR AS params WHERE false';
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${dataset} AS ${body}`);
  }
}

/** How many times a query is asked again after the views named a file that has since gone. */
const QUERY_ATTEMPTS = 3;
const MISSING_FILE = /No files found|No such file|Cannot open file|does not exist/i;

/** A query session over the lake. Close it when done. */
export interface LakeQuery {
  readonly mirror: MirrorResult;
  /** Runs SQL and returns rows as JSON-safe objects (timestamps as ISO-like strings). */
  rows(sql: string): Promise<QueryRow[]>;
  readonly connection: DuckDBConnection;
  close(): void;
}

/**
 * Opens DuckDB over the lake.
 * @example
 * const lake = await openLakeQuery(store, '.cache/lake');
 * const rows = await lake.rows("SELECT count(*) AS n FROM ohlcv WHERE symbol = 'BTC/USDT'");
 * lake.close();
 */
export async function openLakeQuery(store: ObjectStore, cacheDir: string, options: LakeViewOptions = {}): Promise<LakeQuery> {
  let mirror = await mirrorLake(store, cacheDir, LAKE_QUERY_PREFIXES);
  const connection = await (await sharedDuckDb()).connect();
  await createLakeViews(connection, mirror.rootDir, options);
  return {
    get mirror() {
      return mirror;
    },
    connection,
    async rows(sql) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const reader = await connection.runAndReadAll(sql);
          return reader.getRowObjectsJson() as QueryRow[];
        } catch (error) {
          // The views name files; compaction may have deleted one since (its candles are in a
          // compact part now). Refresh the copy and the views, then ask again.
          if (attempt >= QUERY_ATTEMPTS || !MISSING_FILE.test(String(error))) throw error;
          mirror = await mirrorLake(store, cacheDir, LAKE_QUERY_PREFIXES);
          await createLakeViews(connection, mirror.rootDir, options);
        }
      }
    },
    close: () => connection.closeSync(),
  };
}
