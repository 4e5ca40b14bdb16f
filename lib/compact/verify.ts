/**
 * Verification of a staged compact part against the parts it replaces, before it is published:
 * same columns and types (for the sentiment datasets also exactly the schema's,
 * lib/lake/schema.ts), one row per time (the dataset's time column: `open_time`, `date`,
 * `funding_time`, `time`), and the same rows (an order-independent checksum over distinct rows,
 * time and value columns), all read back with DuckDB from the staged object's bytes.
 */
import { sqlIdent, sqlString, withConnection } from '../lake/duckdb.ts';
import type { ColumnSpec } from '../lake/schema.ts';

/** A column as DuckDB reads it from Parquet. */
export interface ColumnType {
  name: string;
  type: string;
}

/** What verification compares, for one file or the union of several. */
export interface ContentFingerprint {
  /** Union of the files' columns (first file's order, then new names), with the unified type. */
  columns: ColumnType[];
  /** Each file's own columns: DuckDB's unified type widens decimals, the compact part does not. */
  fileColumns: ColumnType[][];
  rows: number;
  /** The time column fingerprinted (one row per value of it expected). */
  timeColumn: string;
  distinctTimes: number;
  distinctRows: number;
  /** Sum of hash(row) over distinct rows, decimals as DOUBLE (so scale differences do not matter). */
  checksum: string;
}

async function describe(list: string): Promise<ColumnType[]> {
  return withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`);
    return reader.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  });
}

/**
 * Reads local Parquet files (throws when one is unreadable, or lacks `timeColumn`) and fingerprints their content.
 * @example const before = await fingerprintParquet(['/tmp/a.parquet', '/tmp/b.parquet'], 'open_time');
 */
export async function fingerprintParquet(files: readonly string[], timeColumn: string): Promise<ContentFingerprint> {
  const list = `[${files.map(sqlString).join(', ')}]`;
  const columns = await describe(list);
  const fileColumns = await Promise.all(files.map((f) => describe(`[${sqlString(f)}]`)));
  const exprs = columns.map((c) => (c.type.startsWith('DECIMAL') ? `${sqlIdent(c.name)}::DOUBLE AS ${sqlIdent(c.name)}` : sqlIdent(c.name)));
  const names = columns.map((c) => sqlIdent(c.name)).join(', ');
  return withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(
      `WITH src AS (SELECT ${exprs.join(', ')} FROM read_parquet(${list}, union_by_name = true)), d AS (SELECT DISTINCT * FROM src) ` +
        `SELECT (SELECT count(*) FROM src)::DOUBLE, (SELECT count(DISTINCT ${sqlIdent(timeColumn)}) FROM src)::DOUBLE, (SELECT count(*) FROM d)::DOUBLE, ` +
        `(SELECT coalesce(sum(hash(${names})::HUGEINT), 0)::VARCHAR FROM d)`,
    );
    const [rows, distinctTimes, distinctRows, checksum] = reader.getRows()[0]!;
    return {
      columns, fileColumns, rows: Number(rows), timeColumn, distinctTimes: Number(distinctTimes), distinctRows: Number(distinctRows), checksum: String(checksum),
    };
  });
}

function decimalScale(type: string): number | undefined {
  const m = /^DECIMAL\(\d+,(\d+)\)$/.exec(type);
  return m ? Number(m[1]) : undefined;
}

/**
 * The column type the compact part must have: the inputs' type when they agree; for decimals of
 * different scales, any DECIMAL at least as fine as the finest input (the writer picks the
 * smallest exact type for the merged values), checked by {@link typeAcceptable}.
 */
function typeAcceptable(output: string, inputs: readonly string[]): boolean {
  const distinct = [...new Set(inputs)];
  if (distinct.length === 1) return output === distinct[0];
  const scales = distinct.map(decimalScale);
  const outScale = decimalScale(output);
  if (outScale === undefined || scales.some((s) => s === undefined)) return false;
  return outScale >= Math.max(...(scales as number[]));
}

/**
 * Problems that forbid publishing `output` in place of `inputs`; empty when it holds exactly their
 * rows (and, given `schema`, has exactly its column names and types, in order).
 * @example compareFingerprints(before, after) // [] or ['checksum 12 != 13', …]
 */
export function compareFingerprints(inputs: ContentFingerprint, output: ContentFingerprint, schema?: readonly ColumnSpec[]): string[] {
  const problems: string[] = [];
  if (schema) {
    const want = schema.map((c) => `${c.name} ${c.type}`).join(', ');
    const got = output.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    if (got !== want) problems.push(`schema ${got} != ${want}`);
  }
  const inNames = inputs.columns.map((c) => c.name).join(',');
  const outNames = output.columns.map((c) => c.name).join(',');
  if (inNames !== outNames) problems.push(`columns ${outNames} != ${inNames}`);
  else {
    for (const column of output.columns) {
      const inputTypes = inputs.fileColumns.flatMap((cols) => cols.filter((c) => c.name === column.name).map((c) => c.type));
      if (!typeAcceptable(column.type, inputTypes)) problems.push(`column ${column.name} is ${column.type}, inputs ${[...new Set(inputTypes)].join('|')}`);
    }
  }
  const times = `${output.timeColumn.replace(/_/g, ' ')}s`; // 'open times', 'dates', 'funding times', 'times'
  if (output.distinctTimes !== inputs.distinctTimes) problems.push(`${times} ${output.distinctTimes} != ${inputs.distinctTimes}`);
  if (output.rows !== output.distinctTimes) problems.push(`rows ${output.rows} != distinct ${times} ${output.distinctTimes}`);
  if (output.distinctRows !== inputs.distinctRows) problems.push(`distinct rows ${output.distinctRows} != ${inputs.distinctRows}`);
  if (output.checksum !== inputs.checksum) problems.push(`checksum ${output.checksum} != ${inputs.checksum}`);
  return problems;
}
