/**
 * Whether a Parquet object's columns are those its dataset declares in lib/lake/schema.ts.
 * Decimal columns are declared with the widths and scales they may take (`DECIMAL(18|38,s)`:
 * each part carries the precision its prices need), so any DECIMAL(w,s) matches them.
 */
import { MARKETS_COLUMNS, OHLCV_COLUMNS, SENTIMENT_COLUMNS, type ColumnSpec } from '../lake/schema.ts';
import type { ParquetColumn } from './parquet-inspect.ts';

/** Datasets whose Parquet schema is part of the lake contract, by the `dataset=` segment. */
export const DATASET_SCHEMAS: Readonly<Record<string, readonly ColumnSpec[]>> = {
  ohlcv: OHLCV_COLUMNS,
  markets: MARKETS_COLUMNS,
  ...SENTIMENT_COLUMNS,
};

function typeMatches(spec: ColumnSpec, actual: string): boolean {
  if (spec.type.startsWith('DECIMAL')) return /^DECIMAL\(\d+,\d+\)$/.test(actual);
  return actual === spec.type;
}

/**
 * Differences between declared and actual columns, one line each; empty when they match.
 * @example schemaDifferences(OHLCV_COLUMNS, [{ name: 'open_time', type: 'VARCHAR' }, …]) // ['open_time is VARCHAR, expected TIMESTAMP']
 */
export function schemaDifferences(expected: readonly ColumnSpec[], actual: readonly ParquetColumn[]): string[] {
  const byName = new Map(actual.map((c) => [c.name, c.type]));
  const differences: string[] = [];
  for (const spec of expected) {
    const type = byName.get(spec.name);
    if (type === undefined) differences.push(`${spec.name} is missing`);
    else if (!typeMatches(spec, type)) differences.push(`${spec.name} is ${type}, expected ${spec.type}`);
  }
  const declared = new Set(expected.map((c) => c.name));
  for (const column of actual) {
    if (!declared.has(column.name)) differences.push(`unexpected column ${column.name} ${column.type}`);
  }
  return differences;
}
