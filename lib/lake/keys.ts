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
 * source=alternative.me/dataset=fear_greed/year=2024/part-20240101T0000Z-20241231T0000Z.parquet
 * exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20241231T1600Z.parquet
 * exchange=binance/dataset=open_interest/period=1h/symbol=BTC-USDT/year=2024/part-20240601T0000Z-20240630T2300Z.parquet
 * exchange=binance/dataset=long_short_ratio/period=1h/symbol=BTC-USDT/year=2024/part-20240601T0000Z-20240630T2300Z.parquet
 * source=fred/dataset=macro/series=DGS10/year=2024/part-20240102T0000Z-20241231T0000Z.parquet
 * runs/job=update/date=2024-06-01/update-20240601T003000Z-ab12cd.json
 * runs/job=update/latest.json
 * leases/update.json
 * ```
 *
 * Every time-ranged dataset (`ohlcv`, `features` and the sentiment datasets) keeps one folder per
 * series and UTC year, holding immutable `part-<first>-<last>.parquet` files (and, once compacted,
 * `compact-<first>-<last>-g<n>.parquet`), so one part-naming rule and one supersession rule
 * (lib/lake/live-parts.ts) serve them all: see {@link partKeyIn}. The sentiment datasets: the
 * fear & greed index (`source=alternative.me`), perpetual funding, open interest and long/short
 * ratio per spot symbol (`symbol=` is the spot symbol the perpetual belongs to, in path form, so
 * they join with `ohlcv` on symbol), and FRED macro series (`source=fred`).
 */
import type { Timeframe } from '../config/universe.ts';
import type { StatsPeriod } from '../sentiment/types.ts';

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

/**
 * The generic part-naming rule of every time-ranged dataset: under a series folder (ending in
 * `/`), the part holding rows from `firstMs` to `lastMs` (times, inclusive) of one UTC year, the
 * year taken from `firstMs`. {@link parseOhlcvPartKey} reads any such key back.
 * @example partKeyIn('source=fred/dataset=macro/series=DGS10/', Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 5))
 * // 'source=fred/dataset=macro/series=DGS10/year=2024/part-20240102T0000Z-20240105T0000Z.parquet'
 */
export function partKeyIn(folder: string, firstMs: number, lastMs: number): string {
  return `${yearPrefixIn(folder, new Date(firstMs).getUTCFullYear())}part-${fileStamp(firstMs)}-${fileStamp(lastMs)}.parquet`;
}

/** The compact-part counterpart of {@link partKeyIn}: `…/year=YYYY/compact-<first>-<last>-g<generation>.parquet`. */
export function compactPartKeyIn(folder: string, firstMs: number, lastMs: number, generation: number): string {
  return `${yearPrefixIn(folder, new Date(firstMs).getUTCFullYear())}${compactFileName(firstMs, lastMs, generation)}`;
}

/** One year's folder under a series folder: `<folder>year=YYYY/`. */
export function yearPrefixIn(folder: string, year: number): string {
  return `${folder}year=${year}/`;
}

/** Key of a part holding rows from `firstMs` to `lastMs` (open times, inclusive) of one UTC year. */
export function seriesPartKey(dataset: SeriesDataset, series: SeriesId, firstMs: number, lastMs: number): string {
  return partKeyIn(seriesPrefix(dataset, series), firstMs, lastMs);
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
  return compactPartKeyIn(seriesPrefix(dataset, series), firstMs, lastMs, generation);
}

/** Folder of one (series, year) partition: what compaction rewrites into one part. */
export function seriesYearPrefix(dataset: SeriesDataset, series: SeriesId, year: number): string {
  return yearPrefixIn(seriesPrefix(dataset, series), year);
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
 * Reads the range back from a part key (a plain `part-…` or a `compact-…-g<n>` one) of any
 * time-ranged dataset (`ohlcv`, `features`, the sentiment datasets); `undefined` for anything
 * else, staged objects included. For sentiment parts `firstOpenTimeMs`/`lastOpenTimeMs` are the
 * first and last row time, to the minute (what the file stamps hold).
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

/** The sentiment datasets: the market's mood beside prices (lib/sentiment/types.ts). */
export type SentimentDataset = 'fear_greed' | 'funding' | 'open_interest' | 'long_short_ratio' | 'macro';

/** Every sentiment dataset, in the order the README documents them. */
export const SENTIMENT_DATASETS: readonly SentimentDataset[] = ['fear_greed', 'funding', 'open_interest', 'long_short_ratio', 'macro'];

/** Where the fear & greed index comes from: its `source=` segment. */
export const FEAR_GREED_SOURCE = 'alternative.me';
/** Where macro series come from: their `source=` segment. */
export const MACRO_SOURCE = 'fred';

/**
 * One stored sentiment series. `symbol` is the unified spot symbol (`BTC/USDT`) the perpetual
 * belongs to, so the derivatives datasets join with `ohlcv` on symbol.
 * @example const id: SentimentDatasetId = { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' };
 * @example const id: SentimentDatasetId = { dataset: 'open_interest', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' };
 * @example const id: SentimentDatasetId = { dataset: 'macro', series: 'DGS10' };
 */
export type SentimentDatasetId =
  | { dataset: 'fear_greed' }
  | { dataset: 'funding'; exchange: string; symbol: string }
  | { dataset: 'open_interest'; exchange: string; symbol: string; period: StatsPeriod }
  | { dataset: 'long_short_ratio'; exchange: string; symbol: string; period: StatsPeriod }
  | { dataset: 'macro'; series: string };

/** A key segment value: non-empty, no `/` (a folder break) and no `=` (a Hive key/value break). */
function segment(value: string, what: string): string {
  if (value === '' || /[/=]/.test(value)) throw new RangeError(`invalid ${what} for a lake key: ${JSON.stringify(value)}`);
  return value;
}

function symbolSegment(symbol: string): string {
  if (!/^[^/\-=]+\/[^/\-=]+$/.test(symbol)) throw new RangeError(`invalid symbol for a lake key (BASE/QUOTE expected): ${JSON.stringify(symbol)}`);
  return symbolPathSegment(symbol);
}

/**
 * Folder of one sentiment series, every year included (ends in `/`).
 * @example sentimentPrefix({ dataset: 'fear_greed' }) // 'source=alternative.me/dataset=fear_greed/'
 * @example sentimentPrefix({ dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' })
 * // 'exchange=binance/dataset=funding/symbol=BTC-USDT/'
 * @example sentimentPrefix({ dataset: 'long_short_ratio', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' })
 * // 'exchange=binance/dataset=long_short_ratio/period=1h/symbol=BTC-USDT/'
 * @example sentimentPrefix({ dataset: 'macro', series: 'DGS10' }) // 'source=fred/dataset=macro/series=DGS10/'
 */
export function sentimentPrefix(id: SentimentDatasetId): string {
  switch (id.dataset) {
    case 'fear_greed':
      return `source=${FEAR_GREED_SOURCE}/dataset=fear_greed/`;
    case 'funding':
      return `${datasetPrefix(segment(id.exchange, 'exchange'), 'funding')}symbol=${symbolSegment(id.symbol)}/`;
    case 'open_interest':
    case 'long_short_ratio':
      return `${datasetPrefix(segment(id.exchange, 'exchange'), id.dataset)}period=${segment(id.period, 'period')}/symbol=${symbolSegment(id.symbol)}/`;
    case 'macro':
      return `source=${MACRO_SOURCE}/dataset=macro/series=${segment(id.series, 'series')}/`;
  }
}

/**
 * Key of a sentiment part holding rows from `firstMs` to `lastMs` (times, inclusive) of one UTC year.
 * @example sentimentPartKey({ dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' }, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2, 16))
 * // 'exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240102T1600Z.parquet'
 */
export function sentimentPartKey(id: SentimentDatasetId, firstMs: number, lastMs: number): string {
  return partKeyIn(sentimentPrefix(id), firstMs, lastMs);
}

/** Key of a sentiment compact part (see {@link compactPartKey}). */
export function sentimentCompactPartKey(id: SentimentDatasetId, firstMs: number, lastMs: number, generation: number): string {
  return compactPartKeyIn(sentimentPrefix(id), firstMs, lastMs, generation);
}

/**
 * Glob, relative to the lake's root, of every part file of a sentiment dataset, all series and
 * years (staged objects excluded: they lie one folder deeper).
 * @example sentimentPartsGlob('funding') // 'exchange=*\/dataset=funding/symbol=*\/year=*\/*.parquet'
 */
export function sentimentPartsGlob(dataset: SentimentDataset): string {
  switch (dataset) {
    case 'fear_greed':
      return `source=${FEAR_GREED_SOURCE}/dataset=fear_greed/year=*/*.parquet`;
    case 'funding':
      return 'exchange=*/dataset=funding/symbol=*/year=*/*.parquet';
    case 'open_interest':
    case 'long_short_ratio':
      return `exchange=*/dataset=${dataset}/period=*/symbol=*/year=*/*.parquet`;
    case 'macro':
      return `source=${MACRO_SOURCE}/dataset=macro/series=*/year=*/*.parquet`;
  }
}

/**
 * The sentiment series and year a key lies in (a part, a staged object, anything under `year=YYYY/`).
 * @example parseSentimentPartition('source=fred/dataset=macro/series=DGS10/year=2024/part-….parquet')
 * // { id: { dataset: 'macro', series: 'DGS10' }, year: 2024, prefix: 'source=fred/dataset=macro/series=DGS10/year=2024/' }
 */
export function parseSentimentPartition(key: string): { id: SentimentDatasetId; year: number; prefix: string } | undefined {
  const patterns: ReadonlyArray<[RegExp, (m: RegExpExecArray) => SentimentDatasetId]> = [
    [new RegExp(`^source=${FEAR_GREED_SOURCE.replace('.', '\\.')}/dataset=fear_greed/`), () => ({ dataset: 'fear_greed' })],
    [/^exchange=([^/]+)\/dataset=funding\/symbol=([^/]+)\//, (m) => ({ dataset: 'funding', exchange: m[1]!, symbol: symbolFromPathSegment(m[2]!) })],
    [
      /^exchange=([^/]+)\/dataset=(open_interest|long_short_ratio)\/period=([^/]+)\/symbol=([^/]+)\//,
      (m) => ({ dataset: m[2] as 'open_interest', exchange: m[1]!, period: m[3] as StatsPeriod, symbol: symbolFromPathSegment(m[4]!) }),
    ],
    [new RegExp(`^source=${MACRO_SOURCE}/dataset=macro/series=([^/]+)/`), (m) => ({ dataset: 'macro', series: m[1]! })],
  ];
  for (const [pattern, build] of patterns) {
    const m = pattern.exec(key);
    if (!m) continue;
    const year = /^year=(\d{4})\//.exec(key.slice(m[0].length));
    if (!year) return undefined;
    return { id: build(m), year: Number(year[1]), prefix: `${m[0]}${year[0]}` };
  }
  return undefined;
}
