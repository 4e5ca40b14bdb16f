/**
 * Time flags of the runbook commands (`--to`, `--since`): relative to now (`-48h`, `-90m`, `-7d`)
 * or an absolute UTC date / ISO time. A person types these under pressure: anything else is refused
 * with the flag named, never guessed.
 */
import { ConfigError } from '../config/errors.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * @example parseTimeFlag('--to', '-48h', Date.UTC(2024, 5, 10)) // Date.UTC(2024, 5, 8)
 * @example parseTimeFlag('--since', '2024-06-01', now) // Date.UTC(2024, 5, 1)
 */
export function parseTimeFlag(flag: string, value: string, nowMs: number): number {
  const relative = /^-(\d+(?:\.\d+)?)([mhd])$/.exec(value.trim());
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const text = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ConfigError(`Invalid option ${flag}: "${value}" (use -48h, -90m, -7d, YYYY-MM-DD or an ISO time)`, [flag.replace(/^--/, '')]);
  return ms;
}
