/**
 * What DuckDB sees in a Parquet object: its row count (from the footer) and its columns.
 * DuckDB reads local files here (no httpfs offline), so the bytes go to a temp file first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlString, withConnection } from '../lake/duckdb.ts';

export interface ParquetColumn {
  name: string;
  /** DuckDB's type name, e.g. `DECIMAL(18,2)`, `TIMESTAMP`, `VARCHAR`. */
  type: string;
}

export interface ParquetInspection {
  rows: number;
  columns: ParquetColumn[];
}

/**
 * Opens Parquet bytes in DuckDB; throws when DuckDB cannot read the footer or the schema.
 * @param options.tempParent folder for the temp copy (default the OS temp folder)
 * @param options.decode also decode every value (hashing each row), not just the footer
 * @example const { rows, columns } = await parquetInspect(body);
 */
export async function parquetInspect(
  body: Uint8Array,
  options: { tempParent?: string; decode?: boolean } = {},
): Promise<ParquetInspection> {
  const tempParent = options.tempParent ?? tmpdir();
  const dir = await mkdtemp(join(tempParent, 'candlelake-backup-'));
  try {
    const path = join(dir, 'object.parquet');
    await writeFile(path, body);
    return await withConnection(async (connection) => {
      const meta = await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(${sqlString(path)})`);
      const rows = Number(meta.getRows()[0]?.[0] ?? 0);
      const described = await connection.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}, hive_partitioning = false)`,
      );
      const columns = described.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
      if (options.decode) {
        // Hashing the whole row forces every column's pages to be decompressed and decoded,
        // which a footer read or count(*) (answered from metadata) would skip.
        const scan = await connection.runAndReadAll(
          `SELECT count(*)::BIGINT, max(hash(t)) FROM read_parquet(${sqlString(path)}, hive_partitioning = false) t`,
        );
        const decoded = Number(scan.getRows()[0]?.[0] ?? 0);
        if (decoded !== rows) throw new Error(`footer says ${rows} rows, ${decoded} decoded`);
      }
      return { rows, columns };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
