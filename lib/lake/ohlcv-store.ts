/**
 * Reading and writing OHLCV series. The store only ever adds candles it does not have:
 * each write is one new immutable Parquet part per touched year, put atomically, so a reader
 * sees a part whole or not at all, and rewriting the same window adds nothing.
 *
 * Readers see live parts only (lib/lake/live-parts.ts): compaction leaves superseded parts
 * behind for a moment, and may delete a part a reader has just listed, so reads re-list and retry.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Candle } from '../candles/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { decimalTypeFor } from './decimal-type.ts';
import { sqlString, withConnection } from './duckdb.ts';
import { compactPartKey, ohlcvPartKey, parseOhlcvPartKey, seriesPrefix, type PartRange, type SeriesDataset, type SeriesId } from './keys.ts';
import { liveParts } from './live-parts.ts';
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

/** How many times a read re-lists a series when a listed part vanished (compaction swapped it) before giving up. */
export const READ_ATTEMPTS = 3;

/** Thrown when parts keep vanishing between listing and download: reading on would silently lose candles. */
export class PartsVanishedError extends Error {
  constructor(readonly keys: readonly string[], attempts: number) {
    super(`parts vanished while reading, ${attempts} attempts: ${keys.join(', ')}`);
    this.name = 'PartsVanishedError';
  }
}

/**
 * The live parts of a series (of `ohlcv`, or another per-series dataset), oldest first, from a
 * key listing alone (ranges are in the names). Parts a compact part supersedes are left out.
 * @example const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
 */
export async function ohlcvListParts(store: ObjectStore, series: SeriesId, dataset: SeriesDataset = 'ohlcv'): Promise<PartRange[]> {
  const objects = await store.list(seriesPrefix(dataset, series));
  const parts = objects.map((o) => parseOhlcvPartKey(o.key)).filter((p): p is PartRange => p !== undefined);
  return liveParts(parts).sort((a, b) => a.firstOpenTimeMs - b.firstOpenTimeMs);
}

/**
 * Downloads `parts` into `dir`; when one has vanished (a compaction swap deleted it after the
 * listing), lists again with `relist` and starts over, at most {@link READ_ATTEMPTS} times.
 * Shared by every per-series dataset (ohlcv, features, sentiment).
 * @returns the local files and the parts they hold
 */
export async function downloadLiveParts(
  store: ObjectStore,
  relist: () => Promise<PartRange[]>,
  dir: string,
  firstParts: readonly PartRange[],
  select: (parts: readonly PartRange[]) => readonly PartRange[] = (parts) => parts,
): Promise<{ files: string[]; parts: PartRange[] }> {
  let parts = liveParts(firstParts);
  for (let attempt = 1; ; attempt += 1) {
    const files: string[] = [];
    const missing: string[] = [];
    const chosen = select(parts);
    for (const [i, part] of chosen.entries()) {
      const path = join(dir, `a${attempt}-part-${i}.parquet`);
      if (await store.download(part.key, path)) files.push(path);
      else missing.push(part.key);
    }
    if (missing.length === 0) return { files, parts: [...chosen] };
    if (attempt >= READ_ATTEMPTS) throw new PartsVanishedError(missing, attempt);
    parts = await relist();
  }
}

/** {@link downloadLiveParts} for one OHLCV series. */
function downloadSeriesParts(
  store: ObjectStore,
  series: SeriesId,
  dir: string,
  firstParts: readonly PartRange[],
  select?: (parts: readonly PartRange[]) => readonly PartRange[],
): Promise<{ files: string[]; parts: PartRange[] }> {
  return downloadLiveParts(store, () => ohlcvListParts(store, series), dir, firstParts, select);
}

/** First and last stored open time, or `undefined` for an empty series. */
export function ohlcvStoredRange(parts: readonly PartRange[]): { firstMs: number; lastMs: number } | undefined {
  if (parts.length === 0) return undefined;
  return {
    firstMs: Math.min(...parts.map((p) => p.firstOpenTimeMs)),
    lastMs: Math.max(...parts.map((p) => p.lastOpenTimeMs)),
  };
}

/** Open times stored in local part files (read with DuckDB). */
async function readOpenTimes(files: readonly string[]): Promise<Set<number>> {
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

/**
 * The distinct candles of local OHLCV part files, oldest first, prices and volumes as the numbers
 * the parts' exact decimals hold (what {@link encodeOhlcvParquet} takes back without loss).
 * @example const candles = await ohlcvReadParquetFiles(['/tmp/a.parquet', '/tmp/b.parquet']);
 */
export async function ohlcvReadParquetFiles(files: readonly string[]): Promise<Candle[]> {
  if (files.length === 0) return [];
  return withConnection(async (connection) => {
    const list = `[${files.map(sqlString).join(', ')}]`;
    // DISTINCT over whole rows, not open times: two different candles at one open time stay
    // visible (and fail compaction's verification) instead of one being dropped silently.
    const reader = await connection.runAndReadAll(
      `SELECT DISTINCT epoch_ms(open_time)::DOUBLE AS t, open::DOUBLE, high::DOUBLE, low::DOUBLE, close::DOUBLE, volume::DOUBLE ` +
        `FROM read_parquet(${list}, union_by_name = true) ORDER BY t`,
    );
    return reader.getRows().map((row) => {
      const [t, open, high, low, close, volume] = row.map(Number) as [number, number, number, number, number, number];
      return { openTimeMs: t, open, high, low, close, volume };
    });
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
 *
 * When a fresh candle falls inside the range of a live compact part of its year, a plain part
 * would be hidden by that compact part (the supersession rule), so the year is rewritten instead
 * (copy-on-write): one compact part of the next generation holding every live part of the year
 * plus the fresh candles, put atomically; the parts it replaces are then deleted (a crash before
 * that leaves them superseded, ignored by readers and removed by the next compaction).
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
  const parts = liveParts(knownParts ?? (await ohlcvListParts(store, series)));
  await withTempDir(async (dir) => {
    for (const [year, group] of groupByYear(candles)) {
      const first = group[0]!.openTimeMs;
      const last = group[group.length - 1]!.openTimeMs;
      const yearParts = parts.filter((p) => p.year === year);
      const overlapping = (ps: readonly PartRange[]) => ps.filter((p) => p.year === year && p.firstOpenTimeMs <= last && p.lastOpenTimeMs >= first);
      const read = overlapping(yearParts).length > 0
        ? await downloadSeriesParts(store, series, join(dir, `existing-${year}`), yearParts, overlapping)
        : { files: [], parts: [] };
      const stored = await readOpenTimes(read.files);
      const fresh = group.filter((c) => !stored.has(c.openTimeMs));
      result.alreadyStored += group.length - fresh.length;
      if (fresh.length === 0) continue;
      const compacts = yearParts.filter((p) => p.generation !== undefined);
      const inside = fresh.some((c) => compacts.some((p) => p.firstOpenTimeMs <= c.openTimeMs && c.openTimeMs <= p.lastOpenTimeMs));
      const written = inside
        ? await rewriteYear(store, series, yearParts, fresh, join(dir, `rewrite-${year}`))
        : await putPart(store, ohlcvPartKey(series, fresh[0]!.openTimeMs, fresh[fresh.length - 1]!.openTimeMs), fresh, join(dir, `new-${year}.parquet`));
      result.written += fresh.length;
      result.objectsWritten += 1;
      result.bytesWritten += written.bytes;
      result.keys.push(written.key);
    }
  });
  return result;
}

async function putPart(store: ObjectStore, key: string, candles: readonly Candle[], path: string): Promise<{ key: string; bytes: number }> {
  await encodeOhlcvParquet(candles, path);
  const body = await readFile(path);
  await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
  return { key, bytes: body.byteLength };
}

/** Copy-on-write of one year: its live parts plus `fresh` as one compact part of the next generation. */
async function rewriteYear(
  store: ObjectStore,
  series: SeriesId,
  yearParts: readonly PartRange[],
  fresh: readonly Candle[],
  dir: string,
): Promise<{ key: string; bytes: number }> {
  const year = yearParts[0]!.year;
  // Re-listed on a vanished part, so the rewrite always starts from the year's current live parts.
  const { files, parts } = await downloadSeriesParts(store, series, dir, yearParts, (ps) => ps.filter((p) => p.year === year));
  const byTime = new Map<number, Candle>();
  for (const candle of [...(await ohlcvReadParquetFiles(files)), ...fresh]) byTime.set(candle.openTimeMs, candle);
  const merged = [...byTime.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
  const generation = 1 + Math.max(0, ...parts.map((p) => p.generation ?? 0));
  const key = compactPartKey('ohlcv', series, merged[0]!.openTimeMs, merged[merged.length - 1]!.openTimeMs, generation);
  const written = await putPart(store, key, merged, `${dir}-compact.parquet`);
  // The new part covers every part it was built from (its range is their union), so from the put
  // on readers ignore them; deleting them only tidies up.
  for (const part of parts) await store.delete(part.key);
  return written;
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
    const { files } = await downloadSeriesParts(store, series, dir, parts);
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
