/**
 * Formatting shared by the rules: finding keys and the UTC times shown in finding texts.
 * Internal to `lib/validate/rules`; not re-exported.
 */
import type { FindingKind } from './types.ts';

/**
 * The stable key of a finding: `validate:<kind>:<part>:<part>…`. Undefined parts are skipped.
 * @example findingKey('stale', 'binance', 'BTC/USDT', '1h') // 'validate:stale:binance:BTC/USDT:1h'
 */
export function findingKey(kind: FindingKind, ...parts: Array<string | undefined>): string {
  return ['validate', kind, ...parts.filter((p): p is string => p !== undefined)].join(':');
}

/**
 * A UTC instant to the minute, for finding texts.
 * @example utcMinute(Date.UTC(2024, 5, 1)) // '2024-06-01 00:00Z'
 */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * A count with its noun, plural when needed.
 * @example plural(1, 'candle') // '1 candle'
 */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
