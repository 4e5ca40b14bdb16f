/** Durations in the daemon's flags: `90s`, `30m`, `2h`, `7d` (or plain milliseconds). */
import { ConfigError } from '../config/errors.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * @example parseDuration('--catch-up-window', '6h') // 21_600_000
 */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/i.exec(value.trim());
  if (!match) throw new ConfigError(`Invalid option ${flag}: "${value}" is not a duration (use 90s, 30m, 2h, 7d)`, [flag.replace(/^--/, '')]);
  return Math.round(Number(match[1]) * UNIT_MS[(match[2]?.toLowerCase() ?? 'ms') as keyof typeof UNIT_MS]);
}

/** A job name from a flag, refused with the valid names. */
export function parseJobName(flag: string, value: string): JobName {
  if (value in schedule) return value as JobName;
  throw new ConfigError(`Invalid option ${flag}: unknown job "${value}" (one of ${Object.keys(schedule).join(', ')})`, [flag.replace(/^--/, '')]);
}

/**
 * Per-job durations: `update=90m,digest=10m` (`0`: no timeout).
 * @example parseJobDurations('--timeout', 'update=90m') // { update: 5_400_000 }
 */
export function parseJobDurations(flag: string, value: string): Partial<Record<JobName, number>> {
  const out: Partial<Record<JobName, number>> = {};
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, duration] = pair.split('=');
    if (!name || duration === undefined) throw new ConfigError(`Invalid option ${flag}: "${pair}" is not job=duration (e.g. update=90m)`, [flag.replace(/^--/, '')]);
    out[parseJobName(flag, name.trim())] = parseDuration(flag, duration);
  }
  return out;
}
