/**
 * How each dataset merges part files into one, through the encoder its writer uses, so a compact
 * part is stored exactly like a part the writer would write: OHLCV and features through their
 * stores, each sentiment dataset through the sentiment store's reader and encoder.
 */
import { encodeFeaturesParquet } from '../features/store.ts';
import { sqlString, withConnection } from '../lake/duckdb.ts';
import { encodeOhlcvParquet, ohlcvReadParquetFiles } from '../lake/ohlcv-store.ts';
import { encodeSentimentParquet, sentimentReadParquetFiles } from '../lake/sentiment-store.ts';
import { isSentimentPartition, type LakePartition, type SentimentPartition } from './datasets.ts';

/** Merges local part files (distinct rows, by open time) into one file; returns the rows written. */
export type MergeParts = (files: readonly string[], outPath: string) => Promise<number>;

/** OHLCV: candles back as numbers, re-encoded with the writer's exact DECIMAL types. */
const mergeOhlcv: MergeParts = async (files, outPath) => {
  const candles = await ohlcvReadParquetFiles(files);
  await encodeOhlcvParquet(candles, outPath);
  return candles.length;
};

/** Features: open_time plus the union of the parts' DOUBLE columns, NULL (warm-up) kept as NULL. */
const mergeFeatures: MergeParts = async (files, outPath) => {
  const { openTimeMs, columns } = await withConnection(async (connection) => {
    const list = `[${files.map(sqlString).join(', ')}]`;
    // Whole-row DISTINCT: conflicting rows at one open time stay visible to verification.
    const reader = await connection.runAndReadAll(
      `SELECT epoch_ms(open_time)::DOUBLE AS open_time, * EXCLUDE (open_time) ` +
        `FROM (SELECT DISTINCT * FROM read_parquet(${list}, union_by_name = true)) ORDER BY open_time`,
    );
    const names = reader.columnNames();
    const values = reader.getColumnsJS() as Array<Array<number | null>>;
    const toArray = (column: Array<number | null>) => Float64Array.from(column, (v) => (v === null ? Number.NaN : Number(v)));
    return {
      openTimeMs: toArray(values[0]!),
      columns: names.slice(1).map((name, i) => ({ name, values: toArray(values[i + 1]!) })),
    };
  });
  await encodeFeaturesParquet(openTimeMs, columns, 0, openTimeMs.length, outPath);
  return openTimeMs.length;
};

/**
 * Sentiment: the series' points back (whole-row DISTINCT, so two different rows at one time both
 * stay and fail verification), re-encoded with the dataset's exact column types.
 */
function mergeSentiment({ id }: SentimentPartition): MergeParts {
  return async (files, outPath) => {
    const points = await sentimentReadParquetFiles(id, files);
    await encodeSentimentParquet(id, points, outPath);
    return points.length;
  };
}

/**
 * The merge of one partition's dataset (and, for sentiment, its series: the codec needs the id).
 * @example const rows = await mergePartsFor(partition)(['/tmp/a.parquet', '/tmp/b.parquet'], '/tmp/merged.parquet');
 */
export function mergePartsFor(partition: LakePartition): MergeParts {
  if (isSentimentPartition(partition)) return mergeSentiment(partition);
  return partition.dataset === 'ohlcv' ? mergeOhlcv : mergeFeatures;
}
