/**
 * Writing feature rows as a per-series dataset laid out like `ohlcv`: immutable, time-ranged
 * Parquet parts per year, each put atomically. Warm-up values (NaN) are stored as NULL.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import { sqlIdent, sqlString, withConnection } from '../lake/duckdb.ts';
import { seriesPartKey, type SeriesId } from '../lake/keys.ts';
import { PARQUET_COPY_OPTIONS } from '../lake/schema.ts';
import { withTempDir } from '../lake/temp-dir.ts';
import type { ObjectStore } from '../object-store/types.ts';

/**
 * Encodes rows [from, to) of the given columns as one ZSTD Parquet file: `open_time` then one
 * DOUBLE column per feature, NaN stored as NULL. Compaction re-encodes merged parts with it.
 * @example await encodeFeaturesParquet(times, [{ name: 'sma_20', values }], 0, times.length, '/tmp/f.parquet');
 */
export async function encodeFeaturesParquet(
  openTimeMs: Float64Array,
  columns: ReadonlyArray<{ name: string; values: Float64Array }>,
  from: number,
  to: number,
  path: string,
): Promise<void> {
  await withConnection(async (connection) => {
    const table = `features_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await connection.run(`CREATE TEMP TABLE ${table} (open_time TIMESTAMP, ${columns.map((c) => `${sqlIdent(c.name)} DOUBLE`).join(', ')})`);
    try {
      const appender = await connection.createAppender(table);
      for (let i = from; i < to; i += 1) {
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(openTimeMs[i]!) * 1000n));
        for (const c of columns) {
          const v = c.values[i]!;
          if (Number.isFinite(v)) appender.appendDouble(v);
          else appender.appendNull();
        }
        appender.endRow();
      }
      appender.closeSync();
      await connection.run(`COPY (SELECT * FROM ${table} ORDER BY open_time) TO ${sqlString(path)} (${PARQUET_COPY_OPTIONS})`);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/**
 * Writes rows [from, to) of the given columns, one part per UTC year touched. Rows are always
 * newer than every stored feature row (lib/features/index.ts), so they never fall inside a
 * compact part's range and a plain part is never hidden by the supersession rule.
 * @returns keys written
 */
export async function featuresWrite(
  store: ObjectStore,
  series: SeriesId,
  openTimeMs: Float64Array,
  columns: ReadonlyArray<{ name: string; values: Float64Array }>,
  from: number,
  to: number,
): Promise<string[]> {
  const keys: string[] = [];
  if (from >= to) return keys;
  // Split at year boundaries so each part belongs to one year=… partition.
  const ranges: Array<[number, number]> = [];
  let start = from;
  for (let i = from + 1; i <= to; i += 1) {
    if (i === to || new Date(openTimeMs[i]!).getUTCFullYear() !== new Date(openTimeMs[start]!).getUTCFullYear()) {
      ranges.push([start, i]);
      start = i;
    }
  }
  await withTempDir(async (dir) => {
    for (const [a, b] of ranges) {
      const path = join(dir, `features-${a}.parquet`);
      await encodeFeaturesParquet(openTimeMs, columns, a, b, path);
      const key = seriesPartKey('features', series, openTimeMs[a]!, openTimeMs[b - 1]!);
      await store.put(key, await readFile(path), { contentType: 'application/vnd.apache.parquet' });
      keys.push(key);
    }
  });
  return keys;
}
