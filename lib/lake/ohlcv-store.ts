/**
 * Reading and writing OHLCV series. The store only ever adds candles it does not have:
 * each write is one new immutable Parquet part per touched year, put atomically, so a reader
 * sees a part whole or not at all, and rewriting the same window adds nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Candle } from '../candles/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { decimalTypeFor } from './decimal-type.ts';
import { sqlString, withConnection } from './duckdb.ts';
import { ohlcvPartKey, parseOhlcvPartKey, seriesPrefix, type PartRange, type SeriesDataset, type SeriesId } from './keys.ts';
import { PARQUET_COPY_OPTIONS } from './schema.ts';
import { withTempDir } from './temp-dir.ts';

/** What one write did. */
export interface OhlcvWriteResult {
  /** Candles added to the lake. */
  written: number;
  /** Candles the lake already had (rerun windows, overlapping backfills). */
  alreadyStored: number;
  objectsWritten: number;
  bytesWritten: number;
  keys: string[];
}

/**
 * The parts of a series (of `ohlcv`, or another per-series dataset), oldest first, from a key
 * listing alone (ranges are in the names).
 * @example const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
 */
export async function ohlcvListParts(store: ObjectStore, series: SeriesId, dataset: SeriesDataset = 'ohlcv'): Promise<PartRange[]> {
  const objects = await store.list(seriesPrefix(dataset, series));
  return objects
    .map((o) => parseOhlcvPartKey(o.key))
    .filter((p): p is PartRange => p !== undefined)
    .sort((a, b) => a.firstOpenTimeMs - b.firstOpenTimeMs);
}

/** First and last stored open time, or `undefined` for an empty series. */
export function ohlcvStoredRange(parts: readonly PartRange[]): { firstMs: number; lastMs: number } | undefined {
  if (parts.length === 0) return undefined;
  return {
    firstMs: Math.min(...parts.map((p) => p.firstOpenTimeMs)),
    lastMs: Math.max(...parts.map((p) => p.lastOpenTimeMs)),
  };
}

/** Open times stored in the given parts (downloaded to a temp folder and read with DuckDB). */
async function readOpenTimes(store: ObjectStore, parts: readonly PartRange[], dir: string): Promise<Set<number>> {
  const files: string[] = [];
  for (const [i, part] of parts.entries()) {
    const path = join(dir, `existing-${i}.parquet`);
    if (await store.download(part.key, path)) files.push(path);
  }
  if (files.length === 0) return new Set();
  return withConnection(async (connection) => {
    const list = `[${files.map(sqlString).join(', ')}]`;
    const reader = await connection.runAndReadAll(`SELECT epoch_ms(open_time) AS t FROM read_parquet(${list})`);
    return new Set(reader.getRows().map((row) => Number(row[0])));
  });
}

/**
 * Encodes candles (sorted, unique) as one ZSTD Parquet file. Prices share one exact decimal
 * type, volume its own; Parquet v2 delta-encodes the integer-backed decimals and timestamps.
 */
export async function encodeOhlcvParquet(candles: readonly Candle[], path: string): Promise<void> {
  const priceType = decimalTypeFor(candles.flatMap((c) => [c.open, c.high, c.low, c.close]));
  const volumeType = decimalTypeFor(candles.map((c) => c.volume));
  await withConnection(async (connection) => {
    const table = `ohlcv_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await connection.run(
      `CREATE TEMP TABLE ${table} (open_time TIMESTAMP, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)`,
    );
    try {
      const appender = await connection.createAppender(table);
      for (const c of candles) {
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(c.openTimeMs) * 1000n));
        appender.appendDouble(c.open);
        appender.appendDouble(c.high);
        appender.appendDouble(c.low);
        appender.appendDouble(c.close);
        appender.appendDouble(c.volume);
        appender.endRow();
      }
      appender.closeSync();
      const p = priceType.sql;
      await connection.run(
        `COPY (SELECT open_time, open::${p} AS open, high::${p} AS high, low::${p} AS low, close::${p} AS close, ` +
          `volume::${volumeType.sql} AS volume FROM ${table} ORDER BY open_time) TO ${sqlString(path)} (${PARQUET_COPY_OPTIONS})`,
      );
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

function groupByYear(candles: readonly Candle[]): Map<number, Candle[]> {
  const groups = new Map<number, Candle[]>();
  for (const candle of candles) {
    const year = new Date(candle.openTimeMs).getUTCFullYear();
    const group = groups.get(year) ?? [];
    group.push(candle);
    groups.set(year, group);
  }
  return groups;
}

/**
 * Adds `candles` (closed, validated, sorted, unique) to a series. Candles the lake already holds
 * are skipped, so the call is idempotent; each touched year gets one new part.
 * @param knownParts the series' parts as listed before the write (saves a listing per call)
 */
export async function ohlcvWrite(
  store: ObjectStore,
  series: SeriesId,
  candles: readonly Candle[],
  knownParts?: readonly PartRange[],
): Promise<OhlcvWriteResult> {
  const result: OhlcvWriteResult = { written: 0, alreadyStored: 0, objectsWritten: 0, bytesWritten: 0, keys: [] };
  if (candles.length === 0) return result;
  const parts = knownParts ?? (await ohlcvListParts(store, series));
  await withTempDir(async (dir) => {
    for (const [year, group] of groupByYear(candles)) {
      const first = group[0]!.openTimeMs;
      const last = group[group.length - 1]!.openTimeMs;
      const overlapping = parts.filter((p) => p.year === year && p.firstOpenTimeMs <= last && p.lastOpenTimeMs >= first);
      const stored = overlapping.length > 0 ? await readOpenTimes(store, overlapping, dir) : new Set<number>();
      const fresh = group.filter((c) => !stored.has(c.openTimeMs));
      result.alreadyStored += group.length - fresh.length;
      if (fresh.length === 0) continue;
      const path = join(dir, `new-${year}.parquet`);
      await encodeOhlcvParquet(fresh, path);
      const body = await readFile(path);
      const key = ohlcvPartKey(series, fresh[0]!.openTimeMs, fresh[fresh.length - 1]!.openTimeMs);
      await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      result.written += fresh.length;
      result.objectsWritten += 1;
      result.bytesWritten += body.byteLength;
      result.keys.push(key);
    }
  });
  return result;
}

/** A whole stored series as columns, oldest first (what indicators need: full history). */
export interface SeriesColumns {
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * Reads every stored candle of a series (its parts downloaded to a temp folder, read by DuckDB).
 * @example const { close } = await ohlcvReadSeries(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
 */
export async function ohlcvReadSeries(store: ObjectStore, series: SeriesId, knownParts?: readonly PartRange[]): Promise<SeriesColumns> {
  const parts = knownParts ?? (await ohlcvListParts(store, series));
  return withTempDir(async (dir) => {
    const files: string[] = [];
    for (const [i, part] of parts.entries()) {
      const path = join(dir, `part-${i}.parquet`);
      if (await store.download(part.key, path)) files.push(path);
    }
    const empty = new Float64Array(0);
    if (files.length === 0) return { openTimeMs: empty, open: empty, high: empty, low: empty, close: empty, volume: empty };
    return withConnection(async (connection) => {
      const list = `[${files.map(sqlString).join(', ')}]`;
      const reader = await connection.runAndReadAll(
        `SELECT epoch_ms(open_time)::DOUBLE AS t, open::DOUBLE, high::DOUBLE, low::DOUBLE, close::DOUBLE, volume::DOUBLE ` +
          `FROM read_parquet(${list}, union_by_name = true) ORDER BY open_time`,
      );
      const [t, o, h, l, c, v] = reader.getColumnsJS() as number[][];
      return {
        openTimeMs: Float64Array.from(t!), open: Float64Array.from(o!), high: Float64Array.from(h!),
        low: Float64Array.from(l!), close: Float64Array.from(c!), volume: Float64Array.from(v!),
      };
    });
  });
}
