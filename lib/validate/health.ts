/**
 * Lake health: every Parquet object of the `ohlcv` dataset is readable with the dataset's
 * schema. Reads only Parquet footers: all at once on the fast path, one by one to name a bad one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../lake/duckdb.ts';
import type { ObjectInfo } from '../object-store/types.ts';
import { schemaMatches } from './rules/health.ts';
import type { ActualColumn, ExpectedColumn } from './rules/types.ts';

/** The `ohlcv` schema as README documents it (decimal or double prices; older writers used DOUBLE). */
export const OHLCV_EXPECTED: readonly ExpectedColumn[] = [
  { name: 'open_time', typePattern: /^TIMESTAMP/ },
  ...['open', 'high', 'low', 'close', 'volume'].map((name) => ({ name, typePattern: /^(DECIMAL|DOUBLE)/ })),
];

export type ObjectProblem =
  | { key: string; problem: 'unreadable'; reason: string }
  | { key: string; problem: 'schema'; actual: ActualColumn[] };

async function columnsOf(connection: DuckDBConnection, path: string): Promise<ActualColumn[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}, hive_partitioning = false)`);
  return reader.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
}

/**
 * @param localPath where each key's bytes are on disk (the lake folder or its mirror)
 */
export async function checkOhlcvObjects(connection: DuckDBConnection, objects: readonly ObjectInfo[], localPath: (key: string) => string): Promise<ObjectProblem[]> {
  const parts = objects.filter((o) => o.key.includes('/dataset=ohlcv/') && o.key.endsWith('.parquet'));
  if (parts.length === 0) return [];
  try {
    // All footers in one call; if any file is unreadable this throws and the slow path names it.
    const list = `[${parts.map((o) => sqlString(localPath(o.key))).join(', ')}]`;
    const reader = await connection.runAndReadAll(
      `SELECT file_name, name, type, converted_type, logical_type FROM parquet_schema(${list}) WHERE name <> 'duckdb_schema'`,
    );
    const named = new Map<string, Set<string>>();
    for (const [file, name] of reader.getRows() as Array<[string, string]>) {
      const set = named.get(file) ?? new Set<string>();
      set.add(name);
      named.set(file, set);
    }
    // Footers all read: only files lacking a column need the exact (typed) check below.
    const suspects = parts.filter((o) => {
      const names = named.get(localPath(o.key));
      return !names || OHLCV_EXPECTED.some((c) => !names.has(c.name));
    });
    if (suspects.length === 0) return [];
    return await checkOneByOne(connection, suspects, localPath);
  } catch {
    return checkOneByOne(connection, parts, localPath);
  }
}

async function checkOneByOne(connection: DuckDBConnection, parts: readonly ObjectInfo[], localPath: (key: string) => string): Promise<ObjectProblem[]> {
  const problems: ObjectProblem[] = [];
  for (const o of parts) {
    try {
      const actual = await columnsOf(connection, localPath(o.key));
      if (!schemaMatches(OHLCV_EXPECTED, actual)) problems.push({ key: o.key, problem: 'schema', actual });
    } catch (error) {
      problems.push({ key: o.key, problem: 'unreadable', reason: (error as Error).message.split('\n')[0]! });
    }
  }
  return problems;
}

/** Objects per partition: the folder an object sits in (`…/year=2024/`, `…/date=…/`). */
export function objectsPerPartition(objects: readonly ObjectInfo[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of objects) {
    const at = o.key.lastIndexOf('/');
    if (at < 0) continue;
    const partition = o.key.slice(0, at + 1);
    counts.set(partition, (counts.get(partition) ?? 0) + 1);
  }
  return counts;
}
