/**
 * Which dataset a lake key belongs to, and which keys are immutable parts, from the key alone
 * (the layout of lib/lake/keys.ts).
 */
import { parseOhlcvPartKey } from '../lake/keys.ts';

/**
 * The `dataset=` segment when the key has one (`ohlcv`, `markets`, `backtest_runs`, …), else its
 * first folder (`runs`, `alerts`, `quality`, `backtest-daily`, …), else `other`.
 * @example lakeDatasetOf('exchange=binance/dataset=ohlcv/timeframe=1h/…') // 'ohlcv'
 * @example lakeDatasetOf('runs/job=update/latest.json')                   // 'runs'
 */
export function lakeDatasetOf(key: string): string {
  const segments = key.split('/');
  const dataset = segments.find((s) => s.startsWith('dataset='));
  if (dataset) return dataset.slice('dataset='.length);
  return segments.length > 1 ? segments[0]! : 'other';
}

/**
 * Whether the key is a time-ranged series part (`ohlcv`, `features`): written once, never
 * rewritten, so any change of its bytes after a snapshot is corruption rather than an update.
 */
export function isImmutablePart(key: string): boolean {
  return parseOhlcvPartKey(key) !== undefined;
}

export function isParquetKey(key: string): boolean {
  return key.endsWith('.parquet');
}

export function isJsonKey(key: string): boolean {
  return key.endsWith('.json');
}

/** Content type to store an object with (the store API does not return the original one). */
export function contentTypeOf(key: string): string | undefined {
  if (isParquetKey(key)) return 'application/vnd.apache.parquet';
  if (isJsonKey(key)) return 'application/json';
  return undefined;
}
