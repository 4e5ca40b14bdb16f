/**
 * One in-process DuckDB for the whole process: it encodes Parquet on write and answers
 * queries on read. DuckDB runs in memory; the lake's Parquet files are its storage.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let shared: Promise<DuckDBInstance> | undefined;

/** The process-wide in-memory DuckDB, created on first use. Timestamps in the lake are naive UTC TIMESTAMPs, so no session time zone applies. */
export function sharedDuckDb(): Promise<DuckDBInstance> {
  shared ??= DuckDBInstance.create(':memory:');
  return shared;
}

/**
 * Runs `work` on a fresh connection and closes it afterwards.
 * @example const n = await withConnection(async (c) => (await c.runAndReadAll('select 1')).getRows());
 */
export async function withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await (await sharedDuckDb()).connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}

/** A SQL string literal (DuckDB doubles embedded quotes). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A quoted identifier. */
export function sqlIdent(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
