/**
 * The lake's object-key layout. Every key candlelake reads or writes is built here, so the
 * layout documented in README.md has exactly one implementation.
 *
 * ```
 * exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20241231T2300Z.parquet
 * exchange=binance/dataset=features/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240601T2300Z.parquet
 * exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/compact-20240101T0000Z-20241231T2300Z-g1.parquet
 * exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/_staging/compact-20240101T0000Z-20241231T2300Z-g1.parquet
 * exchange=binance/dataset=markets/date=2024-06-01/markets.parquet
 * runs/job=update/date=2024-06-01/update-20240601T003000Z-ab12cd.json
 * runs/job=update/latest.json
 * leases/update.json
 * ```
 */
import type { Timeframe } from '../config/universe.ts';

/** One stored candle series. */
export interface SeriesId {
  exchange: string;
  /** Unified symbol, `BASE/QUOTE`. */
  symbol: string;
  timeframe: Timeframe;
}

/** Parsed from an OHLCV (or features) part key: which year partition, first and last candle in the file. */
export interface PartRange {
  key: string;
  year: number;
  firstOpenTimeMs: number;
  lastOpenTimeMs: number;
  /**
   * Only on compact parts (`compact-…-g<n>.parquet`): their generation, 1 + the highest generation
   * among the parts they replaced. Plain `part-…` keys have none. See lib/lake/live-parts.ts.
   */
  generation?: number;
}

/**
 * Path form of a unified symbol: `/` cannot appear in a key segment, `-` never appears in a
 * Binance asset code, so the mapping is reversible.
 * @example symbolPathSegment('BTC/USDT') // 'BTC-USDT'
 */
export function symbolPathSegment(symbol: string): string {
  return symbol.replace('/', '-');
}

export function symbolFromPathSegment(segment: string): string {
  return segment.replace('-', '/');
}

/** Compact UTC stamp used in file names: `20240101T0000Z`. */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\d\d\.\d{3}Z$/, 'Z');
}

function parseFileStamp(stamp: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z$/.exec(stamp);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** `YYYY-MM-DD` of a UTC instant. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function datasetPrefix(exchange: string, dataset: string): string {
  return `exchange=${exchange}/dataset=${dataset}/`;
}

/** Datasets stored per series in time-ranged parts: the candles and the indicators computed from them. */
export type SeriesDataset = 'ohlcv' | 'features';

/** Folder of one series of a per-series dataset, every year included. */
export function seriesPrefix(dataset: SeriesDataset, series: SeriesId): string {
  return `${datasetPrefix(series.exchange, dataset)}timeframe=${series.timeframe}/symbol=${symbolPathSegment(series.symbol)}/`;
}

/** Key of a part holding rows from `firstMs` to `lastMs` (open times, inclusive) of one UTC year. */
export function seriesPartKey(dataset: SeriesDataset, series: SeriesId, firstMs: number, lastMs: number): string {
  const year = new Date(firstMs).getUTCFullYear();
  return `${seriesPrefix(dataset, series)}year=${year}/part-${fileStamp(firstMs)}-${fileStamp(lastMs)}.parquet`;
}

/** Folder of one OHLCV series, every year included. */
export function ohlcvSeriesPrefix(series: SeriesId): string {
  return seriesPrefix('ohlcv', series);
}

/** Key of an OHLCV part holding candles from `firstMs` to `lastMs` (open times, inclusive) of one UTC year. */
export function ohlcvPartKey(series: SeriesId, firstMs: number, lastMs: number): string {
  return seriesPartKey('ohlcv', series, firstMs, lastMs);
}

/**
 * Key of a compact part: every row of one (series, year) partition from `firstMs` to `lastMs`,
 * replacing the parts it was built from. A newer generation over the same range supersedes an older one.
 * @example compactPartKey('ohlcv', series, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 31, 23), 1)
 * // 'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/compact-20240101T0000Z-20240131T2300Z-g1.parquet'
 */
export function compactPartKey(dataset: SeriesDataset, series: SeriesId, firstMs: number, lastMs: number, generation: number): string {
  return `${seriesYearPrefix(dataset, series, new Date(firstMs).getUTCFullYear())}${compactFileName(firstMs, lastMs, generation)}`;
}

/** Folder of one (series, year) partition: what compaction rewrites into one part. */
export function seriesYearPrefix(dataset: SeriesDataset, series: SeriesId, year: number): string {
  return `${seriesPrefix(dataset, series)}year=${year}/`;
}

function compactFileName(firstMs: number, lastMs: number, generation: number): string {
  return `compact-${fileStamp(firstMs)}-${fileStamp(lastMs)}-g${generation}.parquet`;
}

/** Name of the folder, inside a year partition, where compaction stages a part before publishing it. */
export const STAGING_FOLDER = '_staging';

/**
 * Where compaction stages a compact part before verifying and publishing it: a sub-folder of the
 * partition that no part parser, listing of parts or view (which read `year=YYYY/` files only) picks up.
 * @example compactStagingKey('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/compact-20240101T0000Z-20240131T2300Z-g1.parquet')
 * // 'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/_staging/compact-20240101T0000Z-20240131T2300Z-g1.parquet'
 */
export function compactStagingKey(compactKey: string): string {
  const at = compactKey.lastIndexOf('/');
  return `${compactKey.slice(0, at + 1)}${STAGING_FOLDER}/${compactKey.slice(at + 1)}`;
}

/**
 * Reads the range back from a part key (a plain `part-…` or a `compact-…-g<n>` one); `undefined`
 * for anything else, staged objects included.
 */
export function parseOhlcvPartKey(key: string): PartRange | undefined {
  // Anchored on `year=YYYY/` directly before the name, so `year=YYYY/_staging/…` never parses.
  const m = /year=(\d{4})\/(part|compact)-(\d{8}T\d{4}Z)-(\d{8}T\d{4}Z)(?:-g(\d+))?\.parquet$/.exec(key);
  if (!m) return undefined;
  const compact = m[2] === 'compact';
  // A generation belongs to compact parts only, and every compact part has one.
  if (compact !== (m[5] !== undefined)) return undefined;
  const first = parseFileStamp(m[3]!);
  const last = parseFileStamp(m[4]!);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return undefined;
  const range: PartRange = { key, year: Number(m[1]), firstOpenTimeMs: first, lastOpenTimeMs: last };
  if (compact) range.generation = Number(m[5]);
  return range;
}

/** One (series, year) partition of a per-series dataset, as found in a key. */
export interface SeriesPartition {
  dataset: SeriesDataset;
  series: SeriesId;
  year: number;
  /** The partition's folder, `…/year=YYYY/` (what {@link seriesYearPrefix} builds). */
  prefix: string;
}

/**
 * The (series, year) partition a key lies in (a part, a staged object, anything under `year=YYYY/`).
 * @example parseSeriesPartition('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-….parquet')?.year // 2024
 */
export function parseSeriesPartition(key: string): SeriesPartition | undefined {
  const m = /^(exchange=([^/]+)\/dataset=(ohlcv|features)\/timeframe=([^/]+)\/symbol=([^/]+)\/year=(\d{4})\/)/.exec(key);
  if (!m) return undefined;
  return {
    dataset: m[3] as SeriesDataset,
    series: { exchange: m[2]!, timeframe: m[4] as Timeframe, symbol: symbolFromPathSegment(m[5]!) },
    year: Number(m[6]),
    prefix: m[1]!,
  };
}

/** `true` for compact parts (they carry a generation). */
export function isCompactPart(part: PartRange): boolean {
  return part.generation !== undefined;
}

/** Lists every series a key listing shows, from OHLCV part keys. */
export function parseOhlcvSeriesKey(key: string): SeriesId | undefined {
  const m = /^exchange=([^/]+)\/dataset=ohlcv\/timeframe=([^/]+)\/symbol=([^/]+)\//.exec(key);
  if (!m) return undefined;
  return { exchange: m[1]!, timeframe: m[2] as Timeframe, symbol: symbolFromPathSegment(m[3]!) };
}

/** One market-metadata snapshot per exchange and UTC day; a rerun the same day replaces it. */
export function marketsKey(exchange: string, dayMs: number): string {
  return `${datasetPrefix(exchange, 'markets')}date=${utcDate(dayMs)}/markets.parquet`;
}

export function runRecordKey(job: string, startedAtMs: number, runId: string): string {
  return `runs/job=${job}/date=${utcDate(startedAtMs)}/${runId}.json`;
}

/** The newest finished-or-running record of a job, for the health probe and the digest. */
export function latestRunKey(job: string): string {
  return `runs/job=${job}/latest.json`;
}

export function leaseKey(name: string): string {
  return `leases/${name}.json`;
}

/** Datasets a backtest run writes, one object per run and dataset. */
export type BacktestDataset = 'backtest_runs' | 'backtest_trades' | 'backtest_equity';

/**
 * @example backtestDatasetKey('backtest_runs', Date.parse('2024-06-10T23:30:00Z'), 'backtest-x')
 * // 'dataset=backtest_runs/run_date=2024-06-10/backtest-x.parquet'
 */
export function backtestDatasetKey(dataset: BacktestDataset, runStartedAtMs: number, runId: string, unitId?: string): string {
  // The daily task writes one object per unit (its checkpoint); ad-hoc runs write one per run.
  return `dataset=${dataset}/run_date=${utcDate(runStartedAtMs)}/${runId}${unitId ? `--${unitId}` : ''}.parquet`;
}
