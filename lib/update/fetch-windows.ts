/**
 * Which time windows a series still needs. Pure: from what is stored, the clock and the
 * request, decide what to fetch — never what the lake already covers at either end.
 */
import type { Timeframe } from '../config/universe.ts';
import { alignUp, lastClosedOpenTime, timeframeMs } from '../candles/timeframe.ts';

export interface FetchWindow {
  /** First open time to fetch (inclusive). */
  fromMs: number;
  /** Last open time to fetch (inclusive). */
  toMs: number;
}

const DAY_MS = 86_400_000;

/**
 * @param stored first and last stored open times, if the series has data
 * @param sinceMs backfill start (`--since`), if asked
 * @example
 * // stored up to 00:00, now 02:10, 1h: fetch 01:00 only (02:00 is unfinished)
 * fetchWindows({ firstMs: 0, lastMs: 0 }, '1h', 7_800_000, 365) // [{ fromMs: 3_600_000, toMs: 3_600_000 }]
 */
export function fetchWindows(
  stored: { firstMs: number; lastMs: number } | undefined,
  timeframe: Timeframe,
  nowMs: number,
  initialLookbackDays: number,
  sinceMs?: number,
): FetchWindow[] {
  const step = timeframeMs(timeframe);
  const newest = lastClosedOpenTime(nowMs, timeframe);
  const windows: FetchWindow[] = [];
  if (!stored) {
    const from = alignUp(sinceMs ?? nowMs - initialLookbackDays * DAY_MS, timeframe);
    windows.push({ fromMs: from, toMs: newest });
  } else {
    if (sinceMs !== undefined) {
      const from = alignUp(sinceMs, timeframe);
      windows.push({ fromMs: from, toMs: stored.firstMs - step });
    }
    windows.push({ fromMs: stored.lastMs + step, toMs: newest });
  }
  return windows.filter((w) => w.fromMs <= w.toMs);
}
