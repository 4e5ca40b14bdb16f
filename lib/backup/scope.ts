/**
 * The part of the lake a restore may touch, matched on Hive key segments (`dataset=…`,
 * `symbol=…`, `timeframe=…`) so a partial restore cannot reach objects of another series.
 */
import { symbolPathSegment } from '../lake/keys.ts';
import { BackupUsageError } from './errors.ts';
import { isBackedUpKey } from './layout.ts';
import type { RestoreScope } from './types.ts';

const SEGMENT_VALUE = /^[A-Za-z0-9._-]+$/;

function segmentFilter(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!SEGMENT_VALUE.test(value)) throw new BackupUsageError(`invalid ${name} "${value}"`);
  return `${name}=${value}`;
}

/**
 * A predicate over lake keys: true for keys inside the scope. Without filters that is the whole
 * lake except `leases/`; every given filter must match one of the key's segments.
 * @example scopeMatcher({ symbol: 'BTC/USDT', timeframe: '1h' })('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-….parquet') // true
 */
export function scopeMatcher(scope: RestoreScope): (key: string) => boolean {
  const required = [
    segmentFilter('dataset', scope.dataset),
    segmentFilter('symbol', scope.symbol === undefined ? undefined : symbolPathSegment(scope.symbol)),
    segmentFilter('timeframe', scope.timeframe),
  ].filter((s): s is string => s !== undefined);
  return (key) => {
    if (!isBackedUpKey(key)) return false;
    const segments = key.split('/');
    return required.every((segment) => segments.includes(segment));
  };
}

/** Only the filters that were given, for reports. */
export function scopeOf(options: RestoreScope): RestoreScope {
  const scope: RestoreScope = {};
  if (options.dataset !== undefined) scope.dataset = options.dataset;
  if (options.symbol !== undefined) scope.symbol = options.symbol;
  if (options.timeframe !== undefined) scope.timeframe = options.timeframe;
  return scope;
}
