/**
 * Bars from a CSV or Parquet file for ad-hoc research, read with DuckDB. Columns: a time column
 * (`timestamp`, `date`, `time`, `datetime` or `open_time`: a date, a timestamp, or epoch
 * seconds/milliseconds), `open`, `high`, `low`, `close`, `volume`; header names case-insensitive.
 */
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { sqlIdent, sqlString, withConnection } from '../../lake/duckdb.ts';
import { BarsInputError } from '../errors.ts';
import type { Bars } from '../types.ts';
import { inferTimeframe, toBars, type BarColumns } from './bars.ts';

const TIME_NAMES = ['timestamp', 'date', 'time', 'datetime', 'open_time'];
const REQUIRED = ['open', 'high', 'low', 'close', 'volume'];

function timeExpression(column: string, type: string): string {
  const c = sqlIdent(column);
  // An instant with a zone (ISO strings ending in Z or an offset): its epoch directly. Casting it to a
  // naive TIMESTAMP would go through the session time zone, i.e. the machine's.
  if (type.startsWith('TIMESTAMP WITH TIME ZONE')) return `epoch_ms(${c})::DOUBLE`;
  if (/^(TIMESTAMP|DATE)/.test(type)) return `epoch_ms(${c}::TIMESTAMP)::DOUBLE`;
  // Epoch numbers: below 1e11 they are seconds (1e11 s is the year 5138).
  if (/INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(type)) return `CASE WHEN ${c} < 1e11 THEN ${c} * 1000 ELSE ${c} END::DOUBLE`;
  // Text: with a zone it is an instant; without one it is UTC by convention, never local time.
  return (
    `CASE WHEN regexp_matches(${c}, '(Z|[+-]\\d\\d:?\\d\\d)$') THEN epoch_ms(TRY_CAST(${c} AS TIMESTAMPTZ)) ` +
    `ELSE epoch_ms(TRY_CAST(${c} AS TIMESTAMP)) END::DOUBLE`
  );
}

/**
 * Reads and validates a price file.
 * @example const bars = await loadBarsFromFile('prices.csv'); // symbol 'prices', timeframe inferred
 */
export async function loadBarsFromFile(path: string, symbol?: string): Promise<Bars> {
  if (!existsSync(path)) throw new BarsInputError(`${path}: no such file`);
  const ext = extname(path).toLowerCase();
  const reader = ext === '.parquet' ? `read_parquet(${sqlString(path)})` : ext === '.csv' || ext === '.txt' ? `read_csv(${sqlString(path)}, header = true)` : undefined;
  if (!reader) throw new BarsInputError(`${path}: expected a .csv or .parquet file`);
  return withConnection(async (connection) => {
    let described;
    try {
      described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    } catch (error) {
      throw new BarsInputError(`${path}: cannot read: ${(error as Error).message.split('\n')[0]}`);
    }
    const columns = new Map<string, { name: string; type: string }>();
    for (const [name, type] of described.getRows() as Array<[string, string]>) columns.set(name.toLowerCase().trim(), { name, type });
    const timeColumn = TIME_NAMES.map((n) => columns.get(n)).find(Boolean);
    const missing = [...(timeColumn ? [] : ['timestamp (or date)']), ...REQUIRED.filter((n) => !columns.has(n))];
    if (missing.length > 0) throw new BarsInputError(`${path}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    // TRY_CAST: a non-numeric cell becomes NULL here and is reported with its line below.
    const select = [
      `${timeExpression(timeColumn!.name, timeColumn!.type)} AS time`,
      ...REQUIRED.map((n) => `TRY_CAST(${sqlIdent(columns.get(n)!.name)} AS DOUBLE) AS ${n}`),
      // The cells as written, so an error can quote what was there.
      ...REQUIRED.map((n) => `${sqlIdent(columns.get(n)!.name)}::VARCHAR AS ${n}_raw`),
    ].join(', ');
    const result = await connection.runAndReadAll(`SELECT ${select} FROM ${reader}`);
    const cols = result.getColumnsObjectJS() as unknown as Record<string, Array<number | null>> & Record<string, Array<string | null>>;
    const raw = Object.fromEntries(REQUIRED.map((n) => [n, cols[`${n}_raw`] as Array<string | null>]));
    const firstLine = ext === '.csv' || ext === '.txt' ? 2 : 1;
    const probe = toBars(path, symbol ?? basename(path, extname(path)), '?', { ...(cols as unknown as BarColumns), raw }, firstLine);
    return { ...probe, timeframe: inferTimeframe(probe.time).name };
  });
}
