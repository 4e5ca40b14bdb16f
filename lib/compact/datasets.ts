/**
 * The datasets compaction rewrites and what it needs to know of each: which keys are its
 * (series, year) partitions, where its compact parts go, its time column, the top-level
 * prefixes to list, and the labels a report names a partition by.
 *
 * - `ohlcv`, `features`: `exchange=…/dataset=…/timeframe=…/symbol=…/year=YYYY/`
 * - the sentiment datasets (lib/lake/sentiment-store.ts): `source=alternative.me/dataset=fear_greed/year=YYYY/`,
 *   `exchange=…/dataset=funding/symbol=…/year=YYYY/`, `exchange=…/dataset=open_interest|long_short_ratio/period=…/symbol=…/year=YYYY/`,
 *   `source=fred/dataset=macro/series=…/year=YYYY/`
 */
import {
  compactPartKey, FEAR_GREED_SOURCE, MACRO_SOURCE, parseSentimentPartition, parseSeriesPartition, SENTIMENT_DATASETS, sentimentCompactPartKey,
  type SentimentDataset, type SentimentDatasetId, type SeriesDataset, type SeriesPartition,
} from '../lake/keys.ts';
import { SENTIMENT_COLUMNS, type ColumnSpec } from '../lake/schema.ts';

/** Every dataset compaction knows: the per-series candle datasets and the sentiment datasets. */
export type CompactionDataset = SeriesDataset | SentimentDataset;

/** What compactLake compacts by default: all of them. */
export const COMPACTION_DATASETS: readonly CompactionDataset[] = ['ohlcv', 'features', ...SENTIMENT_DATASETS];

/** One (series, year) partition of a sentiment dataset. */
export interface SentimentPartition {
  dataset: SentimentDataset;
  id: SentimentDatasetId;
  year: number;
  /** The partition's folder, `…/year=YYYY/`. */
  prefix: string;
}

/** One (series, year) partition of any dataset compaction rewrites. */
export type LakePartition = SeriesPartition | SentimentPartition;

export function isSentimentDataset(dataset: CompactionDataset): dataset is SentimentDataset {
  return dataset !== 'ohlcv' && dataset !== 'features';
}

export function isSentimentPartition(partition: LakePartition): partition is SentimentPartition {
  return 'id' in partition;
}

/**
 * The partition a key lies in (a part, a staged object, anything under `year=YYYY/`), any dataset.
 * @example parseLakePartition('source=fred/dataset=macro/series=DGS10/year=2024/part-….parquet')?.prefix // 'source=fred/dataset=macro/series=DGS10/year=2024/'
 */
export function parseLakePartition(key: string): LakePartition | undefined {
  const series = parseSeriesPartition(key);
  if (series) return series;
  const sentiment = parseSentimentPartition(key);
  return sentiment ? { dataset: sentiment.id.dataset, ...sentiment } : undefined;
}

/** Key of the compact part of `partition` holding rows from `firstMs` to `lastMs`. */
export function compactKeyOf(partition: LakePartition, firstMs: number, lastMs: number, generation: number): string {
  return isSentimentPartition(partition)
    ? sentimentCompactPartKey(partition.id, firstMs, lastMs, generation)
    : compactPartKey(partition.dataset, partition.series, firstMs, lastMs, generation);
}

/** The stored columns a compact part of `dataset` must have exactly; `undefined` where they vary (decimal scales, indicators). */
export function expectedColumnsOf(dataset: CompactionDataset): readonly ColumnSpec[] | undefined {
  return isSentimentDataset(dataset) ? SENTIMENT_COLUMNS[dataset] : undefined;
}

/** The column holding each row's time: one row per value of it. */
export function timeColumnOf(dataset: CompactionDataset): string {
  return expectedColumnsOf(dataset)?.[0]!.name ?? 'open_time';
}

/** Top-level prefixes to list to find every partition of `datasets` (one listing each). */
export function listingPrefixesOf(datasets: readonly CompactionDataset[]): string[] {
  const prefixes = new Set<string>();
  for (const dataset of datasets) {
    if (dataset === 'fear_greed') prefixes.add(`source=${FEAR_GREED_SOURCE}/dataset=fear_greed/`);
    else if (dataset === 'macro') prefixes.add(`source=${MACRO_SOURCE}/dataset=macro/`);
    else prefixes.add('exchange=');
  }
  return [...prefixes].sort();
}

/** What a report names a partition by: the Hive segments of its series folder. */
export interface PartitionLabels {
  exchange?: string;
  /** Unified symbol, `BTC/USDT` (for the derivatives datasets: the spot symbol). */
  symbol?: string;
  timeframe?: string;
  /** Open interest and long/short ratio: the exchange's statistics period (`1h`, …). */
  period?: string;
  /** fear_greed and macro: where the data comes from (`alternative.me`, `fred`). */
  source?: string;
  /** macro: the FRED series id (`DGS10`, …). */
  series?: string;
}

export function labelsOf(partition: LakePartition): PartitionLabels {
  if (!isSentimentPartition(partition)) {
    const { exchange, symbol, timeframe } = partition.series;
    return { exchange, symbol, timeframe };
  }
  const { id } = partition;
  switch (id.dataset) {
    case 'fear_greed':
      return { source: FEAR_GREED_SOURCE };
    case 'funding':
      return { exchange: id.exchange, symbol: id.symbol };
    case 'open_interest':
    case 'long_short_ratio':
      return { exchange: id.exchange, symbol: id.symbol, period: id.period };
    case 'macro':
      return { source: MACRO_SOURCE, series: id.series };
  }
}

/** Throws a RangeError naming an unknown dataset (options may come from a command line). */
export function checkDatasets(datasets: readonly string[]): asserts datasets is readonly CompactionDataset[] {
  const unknown = datasets.filter((d) => !(COMPACTION_DATASETS as readonly string[]).includes(d));
  if (unknown.length > 0) throw new RangeError(`cannot compact unknown dataset(s) ${unknown.join(', ')}; known: ${COMPACTION_DATASETS.join(', ')}`);
}
