/**
 * Time flags of the runbook commands (`--to`, `--since`): relative to now (`-90m`, `-48h`, `-7d`)
 * or an ISO 8601 date / timestamp (`2026-11-29`, `2026-11-29T03:00:00Z`, `2026-11-29T03:00+01:00`;
 * without a zone it is UTC, like everything in the lake). A person types these under pressure:
 * anything else — including dates that do not exist — is refused with the flag named, never guessed.
 */
import { ConfigError } from '../config/errors.ts';

const MINUTE = 60_000;
const UNIT_MS = { m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE } as const;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone = 'Z'] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const utc = Date.UTC(...parts, Number(frac.padEnd(3, '0')));
  const back = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March: refuse dates and times that do not exist.
  const exact = back.getUTCFullYear() === parts[0] && back.getUTCMonth() === parts[1] && back.getUTCDate() === parts[2]
    && back.getUTCHours() === parts[3] && back.getUTCMinutes() === parts[4] && back.getUTCSeconds() === parts[5];
  if (!exact) return undefined;
  if (zone.toUpperCase() === 'Z') return utc;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  if (Number(offset[2]) > 23 || Number(offset[3]) > 59) return undefined;
  return utc - (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * MINUTE;
}

/**
 * @example parseTimeFlag('--to', '-48h', Date.UTC(2024, 5, 10)) // Date.UTC(2024, 5, 8)
 * @example parseTimeFlag('--since', '2024-06-01', now) // Date.UTC(2024, 5, 1)
 */
export function parseTimeFlag(flag: string, value: string, nowMs: number): number {
  const text = value.trim();
  const relative = /^-(\d{1,6})([mhd])$/i.exec(text);
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase() as keyof typeof UNIT_MS];
  const absolute = parseIsoTimestamp(text);
  if (absolute !== undefined) return absolute;
  throw new ConfigError(`Invalid option ${flag}: "${value}" is not a time (use -90m, -48h, -7d, or an ISO 8601 time such as 2026-11-29T03:00:00Z)`, [flag.replace(/^--/, '')]);
}

/**
 * {@link parseTimeFlag} for a flag that may be absent.
 * @example optionalTimeFlag('--from', flags.from, Date.now()) // undefined when not given
 */
export function optionalTimeFlag(flag: string, value: string | undefined, nowMs: number): number | undefined {
  return value === undefined ? undefined : parseTimeFlag(flag, value, nowMs);
}
