/** `candlelake query "<SQL>"`: DuckDB over the lake's views. */
import type { Command } from 'commander';
import { openLakeQuery, type QueryRow } from '../../lake/query.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { action, cliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

/** Rows as an aligned text table. */
export function formatRows(rows: readonly QueryRow[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => (row[c] === null ? 'NULL' : typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), `(${rows.length} rows)`].join('\n');
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL over the lake (views: ohlcv, markets)')
    .argument('<sql>', 'the SQL, e.g. "SELECT symbol, count(*) FROM ohlcv GROUP BY 1"')
    .action(
      action(async (sql: string, _flags: unknown, command: Command) => {
        const ctx = cliContext(command);
        const lake = await openLakeQuery(openObjectStore(ctx.config.lake), ctx.config.cacheDir);
        try {
          const rows = await lake.rows(sql);
          ctx.print(rows, formatRows(rows));
          return EXIT.ok;
        } finally {
          lake.close();
        }
      }),
    );
}
