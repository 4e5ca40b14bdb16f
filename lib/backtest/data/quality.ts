/**
 * The engine's own data-quality gate: missing bars inside a series and a stale end. A gap must
 * never turn into a silent fake profit, so a flagged series is only backtested when asked, and
 * its results carry the flags. (The validate job's stored findings will feed this too.)
 */
import type { Bars } from '../types.ts';

export interface QualityOptions {
  barMs: number;
  /** When set, a series whose last bar is older than this is flagged stale. */
  nowMs?: number;
  maxAgeMs?: number;
}

/**
 * CRITICAL findings for a series, as short texts; empty when clean.
 * @example qualityFlags(bars, { barMs: 3_600_000 }) // ['gaps: 3 missing bars in 2 ranges, first at 2024-03-01T04:00:00.000Z']
 */
export function qualityFlags(bars: Bars, options: QualityOptions): string[] {
  const flags: string[] = [];
  let missing = 0;
  let ranges = 0;
  let first: number | undefined;
  for (let i = 1; i < bars.time.length; i += 1) {
    const gap = Math.round((bars.time[i]! - bars.time[i - 1]!) / options.barMs) - 1;
    if (gap > 0) {
      missing += gap;
      ranges += 1;
      first ??= bars.time[i - 1]! + options.barMs;
    }
  }
  if (missing > 0) flags.push(`gaps: ${missing} missing bars in ${ranges} range${ranges > 1 ? 's' : ''}, first at ${new Date(first!).toISOString()}`);
  if (options.nowMs !== undefined && options.maxAgeMs !== undefined) {
    const last = bars.time[bars.time.length - 1]!;
    const age = options.nowMs - (last + options.barMs);
    if (age > options.maxAgeMs) flags.push(`stale: last bar closed ${Math.round(age / 3_600_000)} h ago`);
  }
  return flags;
}
