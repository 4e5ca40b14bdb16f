/**
 * Reading and writing the sentiment datasets (fear & greed, funding, open interest, long/short
 * ratio, macro series) with the guarantees of the OHLCV store (lib/lake/ohlcv-store.ts): each
 * write is one new immutable ZSTD Parquet part per touched UTC year, put atomically, named
 * `part-<first>-<last>.parquet` so the supersession rule (lib/lake/live-parts.ts) applies, and a
 * write only adds rows whose time is not stored yet — rerunning a window adds nothing.
 *
 * Layout (lib/lake/keys.ts) and columns (lib/lake/schema.ts):
 * ```
 * source=alternative.me/dataset=fear_greed/year=YYYY/part-….parquet                  date DATE, value SMALLINT, classification VARCHAR
 * exchange=binance/dataset=funding/symbol=BTC-USDT/year=YYYY/…                       funding_time TIMESTAMP, funding_rate DOUBLE, mark_price DOUBLE (nullable)
 * exchange=binance/dataset=open_interest/period=1h/symbol=BTC-USDT/year=YYYY/…       time TIMESTAMP, open_interest DOUBLE, open_interest_value DOUBLE
 * exchange=binance/dataset=long_short_ratio/period=1h/symbol=BTC-USDT/year=YYYY/…    time TIMESTAMP, long_short_ratio DOUBLE, long_account DOUBLE, short_account DOUBLE
 * source=fred/dataset=macro/series=DGS10/year=YYYY/…                                 date DATE, value DOUBLE
 * ```
 *
 * Readers see live parts only, and re-list and retry when a listed part vanished (a compaction swap).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { ObjectStore } from '../object-store/types.ts';
import type { FearGreedPoint, FundingPoint, LongShortPoint, MacroPoint, OpenInterestPoint } from '../sentiment/types.ts';
import { sqlIdent, sqlString, withConnection } from './duckdb.ts';
import {
  parseOhlcvPartKey, sentimentCompactPartKey, sentimentPartKey, sentimentPrefix,
  type PartRange, type SentimentDataset, type SentimentDatasetId,
} from './keys.ts';
import { liveParts } from './live-parts.ts';
import { downloadLiveParts, ohlcvStoredRange } from './ohlcv-store.ts';
import { PARQUET_COPY_OPTIONS, SENTIMENT_COLUMNS, type ColumnSpec } from './schema.ts';
import { withTempDir } from './temp-dir.ts';

export type { SentimentDataset, SentimentDatasetId } from './keys.ts';

/** The point type each sentiment dataset stores (lib/sentiment/types.ts). */
export interface SentimentPointMap {
  fear_greed: FearGreedPoint;
  funding: FundingPoint;
  open_interest: OpenInterestPoint;
  long_short_ratio: LongShortPoint;
  macro: MacroPoint;
}

/** The point type of a dataset id: `SentimentPoint<{ dataset: 'funding', … }>` is `FundingPoint`. */
export type SentimentPoint<I extends SentimentDatasetId> = SentimentPointMap[I['dataset']];

/** What one write did (the same shape as an OHLCV write). */
export interface SentimentWriteResult {
  /** Rows added to the lake. */
  written: number;
  /** Rows (distinct times) the lake already had: rerun windows, overlapping fetches. */
  alreadyStored: number;
  objectsWritten: number;
  bytesWritten: number;
  keys: string[];
}

type Cell = number | string | null;

/** How one dataset's points map to its stored columns (the first column is the time). */
interface Codec<P> {
  /** The row time in ms: `dateMs` (a 00:00 UTC day) or `timeMs`. */
  time(p: P): number;
  /** The non-time columns, in schema order. */
  cells(p: P): Cell[];
  fromRow(timeMs: number, cells: readonly Cell[]): P;
}

const DAY_MS = 86_400_000;
/** A part's file stamps hold minutes: rows of a part lie in [first, last + this). */
const STAMP_MS = 60_000;

const num = (c: Cell): number => Number(c);
const CODECS: { [D in SentimentDataset]: Codec<SentimentPointMap[D]> } = {
  fear_greed: {
    time: (p) => p.dateMs,
    cells: (p) => [p.value, p.classification],
    fromRow: (t, [value, classification]) => ({ dateMs: t, value: num(value!), classification: String(classification) }),
  },
  funding: {
    time: (p) => p.timeMs,
    cells: (p) => [p.rate, p.markPrice],
    fromRow: (t, [rate, markPrice]) => ({ timeMs: t, rate: num(rate!), markPrice: markPrice === null || markPrice === undefined ? null : num(markPrice) }),
  },
  open_interest: {
    time: (p) => p.timeMs,
    cells: (p) => [p.openInterest, p.openInterestValue],
    fromRow: (t, [oi, oiValue]) => ({ timeMs: t, openInterest: num(oi!), openInterestValue: num(oiValue!) }),
  },
  long_short_ratio: {
    time: (p) => p.timeMs,
    cells: (p) => [p.ratio, p.longAccount, p.shortAccount],
    fromRow: (t, [ratio, long, short]) => ({ timeMs: t, ratio: num(ratio!), longAccount: num(long!), shortAccount: num(short!) }),
  },
  macro: {
    time: (p) => p.dateMs,
    cells: (p) => [p.value],
    fromRow: (t, [value]) => ({ dateMs: t, value: num(value!) }),
  },
};

/** Columns that may hold NULL; every other value must be a finite number (or a string for VARCHAR). */
const NULLABLE = new Set(['mark_price']);

function codecOf<I extends SentimentDatasetId>(id: I): Codec<SentimentPoint<I>> {
  return CODECS[id.dataset] as unknown as Codec<SentimentPoint<I>>;
}

function columnsOf(id: SentimentDatasetId): readonly ColumnSpec[] {
  return SENTIMENT_COLUMNS[id.dataset];
}

/** A `[time, ...cells]` row, checked against the schema; throws a RangeError naming the offending point. */
function rowOf(id: SentimentDatasetId, columns: readonly ColumnSpec[], time: number, cells: readonly Cell[]): void {
  const where = () => `${id.dataset} point at ${Number.isFinite(time) ? new Date(time).toISOString() : String(time)}`;
  if (!Number.isSafeInteger(time)) throw new RangeError(`${where()}: time is not an integer ms timestamp`);
  if (columns[0]!.type === 'DATE' && time % DAY_MS !== 0) throw new RangeError(`${where()}: a ${columns[0]!.name} must be 00:00 UTC`);
  columns.slice(1).forEach((column, i) => {
    const cell = cells[i];
    if (cell === null || cell === undefined) {
      if (!NULLABLE.has(column.name)) throw new RangeError(`${where()}: ${column.name} is missing`);
    } else if (column.type === 'VARCHAR') {
      if (typeof cell !== 'string') throw new RangeError(`${where()}: ${column.name} is not a string`);
    } else if (typeof cell !== 'number' || !Number.isFinite(cell)) {
      throw new RangeError(`${where()}: ${column.name} is not a finite number`);
    } else if (column.type === 'SMALLINT' && (!Number.isInteger(cell) || Math.abs(cell) > 32_767)) {
      throw new RangeError(`${where()}: ${column.name} is not a SMALLINT`);
    }
  });
}

/**
 * The live parts of a sentiment series, oldest first, from a key listing alone (ranges are in
 * the names). Parts a compact part supersedes are left out.
 * @example const parts = await sentimentListParts(store, { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' });
 */
export async function sentimentListParts(store: ObjectStore, id: SentimentDatasetId): Promise<PartRange[]> {
  const objects = await store.list(sentimentPrefix(id));
  const parts = objects.map((o) => parseOhlcvPartKey(o.key)).filter((p): p is PartRange => p !== undefined);
  return liveParts(parts).sort((a, b) => a.firstOpenTimeMs - b.firstOpenTimeMs || (a.key < b.key ? -1 : 1));
}

/**
 * First and last stored time of a sentiment series, from its key names alone (no file is read),
 * or `undefined` when nothing is stored. Times are to the minute (what file stamps hold): a
 * fetch from `lastMs` on may return rows already stored, which a write skips.
 * @example
 * const range = await sentimentStoredRange(store, { dataset: 'fear_greed' });
 * const points = await source.history(range ? range.lastMs + 86_400_000 : undefined);
 */
export async function sentimentStoredRange(
  store: ObjectStore,
  id: SentimentDatasetId,
  knownParts?: readonly PartRange[],
): Promise<{ firstMs: number; lastMs: number } | undefined> {
  return ohlcvStoredRange(liveParts(knownParts ?? (await sentimentListParts(store, id))));
}

/** {@link downloadLiveParts} for one sentiment series. */
function downloadParts(
  store: ObjectStore,
  id: SentimentDatasetId,
  dir: string,
  firstParts: readonly PartRange[],
  select?: (parts: readonly PartRange[]) => readonly PartRange[],
): Promise<{ files: string[]; parts: PartRange[] }> {
  return downloadLiveParts(store, () => sentimentListParts(store, id), dir, firstParts, select);
}

/** The time column as epoch ms (DOUBLE), whichever of DATE/TIMESTAMP it is. */
function timeMsSql(columns: readonly ColumnSpec[]): string {
  return `epoch_ms(${sqlIdent(columns[0]!.name)}::TIMESTAMP)::DOUBLE`;
}

/** Row times stored in local part files. */
async function readTimes(columns: readonly ColumnSpec[], files: readonly string[]): Promise<Set<number>> {
  if (files.length === 0) return new Set();
  return withConnection(async (connection) => {
    const list = `[${files.map(sqlString).join(', ')}]`;
    const reader = await connection.runAndReadAll(`SELECT ${timeMsSql(columns)} AS t FROM read_parquet(${list}, hive_partitioning = false)`);
    return new Set(reader.getRows().map((row) => Number(row[0])));
  });
}

/**
 * The distinct rows of local part files (whole-row DISTINCT: two different rows at one time both
 * come back), oldest first. Compaction merges parts through it (lib/compact/codecs.ts).
 * @example const points = await sentimentReadParquetFiles({ dataset: 'fear_greed' }, ['/tmp/a.parquet', '/tmp/b.parquet']);
 */
export async function sentimentReadParquetFiles<I extends SentimentDatasetId>(id: I, files: readonly string[]): Promise<Array<SentimentPoint<I>>> {
  if (files.length === 0) return [];
  const columns = columnsOf(id);
  const codec = codecOf(id);
  return withConnection(async (connection) => {
    const list = `[${files.map(sqlString).join(', ')}]`;
    const cells = columns.slice(1).map((c) => (c.type === 'VARCHAR' ? sqlIdent(c.name) : `${sqlIdent(c.name)}::DOUBLE`));
    const reader = await connection.runAndReadAll(
      `SELECT DISTINCT ${timeMsSql(columns)} AS t, ${cells.join(', ')} ` +
        `FROM read_parquet(${list}, hive_partitioning = false, union_by_name = true) ORDER BY t`,
    );
    return reader.getRows().map((row) => codec.fromRow(Number(row[0]), row.slice(1) as Cell[]));
  });
}

/**
 * Encodes points (sorted, unique times, validated) as one ZSTD Parquet file with the dataset's
 * columns (lib/lake/schema.ts), ordered by time: the one encoder of every sentiment part, compact
 * parts included (lib/compact/codecs.ts).
 * @example await encodeSentimentParquet({ dataset: 'macro', series: 'DGS10' }, [{ dateMs: Date.UTC(2024, 0, 2), value: 3.95 }], '/tmp/p.parquet');
 */
export async function encodeSentimentParquet<I extends SentimentDatasetId>(id: I, points: ReadonlyArray<SentimentPoint<I>>, path: string): Promise<void> {
  const columns = columnsOf(id);
  const codec = codecOf(id);
  await withConnection(async (connection) => {
    const table = `sentiment_${process.pid}_${Math.random().toString(36).slice(2)}`;
    const staged = columns.slice(1).map((c, i) => `c${i} ${c.type === 'VARCHAR' ? 'VARCHAR' : 'DOUBLE'}`);
    await connection.run(`CREATE TEMP TABLE ${table} (t TIMESTAMP, ${staged.join(', ')})`);
    try {
      const appender = await connection.createAppender(table);
      for (const point of points) {
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(codec.time(point)) * 1000n));
        for (const cell of codec.cells(point)) {
          if (cell === null) appender.appendNull();
          else if (typeof cell === 'string') appender.appendVarchar(cell);
          else appender.appendDouble(cell);
        }
        appender.endRow();
      }
      appender.closeSync();
      const select = [
        `t::${columns[0]!.type} AS ${sqlIdent(columns[0]!.name)}`,
        ...columns.slice(1).map((c, i) => `c${i}::${c.type} AS ${sqlIdent(c.name)}`),
      ];
      await connection.run(`COPY (SELECT ${select.join(', ')} FROM ${table} ORDER BY t) TO ${sqlString(path)} (${PARQUET_COPY_OPTIONS})`);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/**
 * Every stored point of a sentiment series, oldest first (its live parts downloaded to a temp
 * folder and read by DuckDB).
 * @example const funding = await sentimentRead(store, { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' });
 */
export async function sentimentRead<I extends SentimentDatasetId>(
  store: ObjectStore,
  id: I,
  knownParts?: readonly PartRange[],
): Promise<Array<SentimentPoint<I>>> {
  const parts = knownParts ?? (await sentimentListParts(store, id));
  return withTempDir(async (dir) => sentimentReadParquetFiles(id, (await downloadParts(store, id, dir, parts)).files));
}

/** `true` when rows of `part` may lie anywhere in [firstMs, lastMs] (its stamps are minute floors). */
function mayHold(part: PartRange, firstMs: number, lastMs: number): boolean {
  return part.firstOpenTimeMs <= lastMs && part.lastOpenTimeMs + STAMP_MS > firstMs;
}

/**
 * Adds points to a sentiment series: only those whose time the lake does not hold yet, so the
 * call is idempotent (rerunning a window writes nothing). Points may come in any order; of
 * points sharing a time the first is kept. Each touched UTC year gets one new immutable part,
 * `part-<first>-<last>.parquet`, put atomically.
 *
 * A fresh row inside the range of a live compact part of its year (or a part name already
 * taken) would be hidden by the supersession rule, so that year is rewritten instead
 * (copy-on-write, as `ohlcvWrite` does): one compact part of the next generation holding the
 * year's live rows plus the fresh ones, then the parts it replaces are deleted.
 * @throws RangeError when a point does not fit the schema (non-finite values, a date not at 00:00 UTC, …); nothing is written then
 * @example
 * const id = { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' } as const;
 * const r = await sentimentWrite(store, id, [{ timeMs: Date.UTC(2024, 0, 1), rate: 0.0001, markPrice: 42_000.5 }]);
 * // r.written === 1; the same call again: r.written === 0, r.alreadyStored === 1
 */
export async function sentimentWrite<I extends SentimentDatasetId>(
  store: ObjectStore,
  id: I,
  points: ReadonlyArray<SentimentPoint<I>>,
  knownParts?: readonly PartRange[],
): Promise<SentimentWriteResult> {
  const result: SentimentWriteResult = { written: 0, alreadyStored: 0, objectsWritten: 0, bytesWritten: 0, keys: [] };
  const codec = codecOf(id);
  const columns = columnsOf(id);
  sentimentPrefix(id); // a bad id fails before anything is read
  const byTime = new Map<number, SentimentPoint<I>>();
  for (const point of points) {
    const time = codec.time(point);
    rowOf(id, columns, time, codec.cells(point));
    if (!byTime.has(time)) byTime.set(time, point);
  }
  if (byTime.size === 0) return result;
  const sorted = [...byTime.entries()].sort((a, b) => a[0] - b[0]);
  const years = new Map<number, Array<[number, SentimentPoint<I>]>>();
  for (const entry of sorted) {
    const year = new Date(entry[0]).getUTCFullYear();
    years.set(year, [...(years.get(year) ?? []), entry]);
  }

  const parts = liveParts(knownParts ?? (await sentimentListParts(store, id)));
  await withTempDir(async (dir) => {
    for (const [year, group] of years) {
      const first = group[0]![0];
      const last = group[group.length - 1]![0];
      const yearParts = parts.filter((p) => p.year === year);
      const overlapping = (ps: readonly PartRange[]) => ps.filter((p) => p.year === year && mayHold(p, first, last));
      const read = overlapping(yearParts).length > 0
        ? await downloadParts(store, id, join(dir, `existing-${year}`), yearParts, overlapping)
        : { files: [] };
      const stored = await readTimes(columns, read.files);
      const fresh = group.filter(([t]) => !stored.has(t)).map(([, p]) => p);
      result.alreadyStored += group.length - fresh.length;
      if (fresh.length === 0) continue;
      const freshFirst = codec.time(fresh[0]!);
      const freshLast = codec.time(fresh[fresh.length - 1]!);
      const key = sentimentPartKey(id, freshFirst, freshLast);
      const hidden = fresh.some((p) => {
        const t = codec.time(p);
        return yearParts.some((c) => c.generation !== undefined && c.firstOpenTimeMs <= t && t < c.lastOpenTimeMs + STAMP_MS);
      });
      // Sub-minute times can give a fresh part the name of a stored one: rewrite rather than overwrite.
      const taken = yearParts.some((p) => p.key === key);
      const written = hidden || taken
        ? await rewriteYear(store, id, yearParts, fresh, join(dir, `rewrite-${year}`))
        : await putPart(store, id, key, fresh, join(dir, `new-${year}.parquet`));
      result.written += fresh.length;
      result.objectsWritten += 1;
      result.bytesWritten += written.bytes;
      result.keys.push(written.key);
    }
  });
  return result;
}

async function putPart<I extends SentimentDatasetId>(
  store: ObjectStore,
  id: I,
  key: string,
  points: ReadonlyArray<SentimentPoint<I>>,
  path: string,
): Promise<{ key: string; bytes: number }> {
  await encodeSentimentParquet(id, points, path);
  const body = await readFile(path);
  await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
  return { key, bytes: body.byteLength };
}

/** Copy-on-write of one year: its live parts plus `fresh` as one compact part of the next generation. */
async function rewriteYear<I extends SentimentDatasetId>(
  store: ObjectStore,
  id: I,
  yearParts: readonly PartRange[],
  fresh: ReadonlyArray<SentimentPoint<I>>,
  dir: string,
): Promise<{ key: string; bytes: number }> {
  const codec = codecOf(id);
  const year = yearParts[0]!.year;
  const { files, parts } = await downloadParts(store, id, dir, yearParts, (ps) => ps.filter((p) => p.year === year));
  const byTime = new Map<number, SentimentPoint<I>>();
  for (const point of [...(await sentimentReadParquetFiles(id, files)), ...fresh]) byTime.set(codec.time(point), point);
  const merged = [...byTime.values()].sort((a, b) => codec.time(a) - codec.time(b));
  const generation = 1 + Math.max(0, ...parts.map((p) => p.generation ?? 0));
  const key = sentimentCompactPartKey(id, codec.time(merged[0]!), codec.time(merged[merged.length - 1]!), generation);
  const written = await putPart(store, id, key, merged, `${dir}-compact.parquet`);
  // The new part's range is the union of the replaced parts' ranges: from the put on, readers ignore them.
  for (const part of parts) await store.delete(part.key);
  return written;
}
