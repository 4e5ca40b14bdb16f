/** Wall-time measurement for reports (the job clock may be pinned in tests; durations use the real timer). */
import { performance } from 'node:perf_hooks';

/** A start mark for {@link elapsedSeconds}. */
export function startTimer(): number {
  return performance.now();
}

/**
 * Seconds since `startMs` (a {@link startTimer} value), to the millisecond.
 * @example const t = startTimer(); await work(); elapsedSeconds(t) // 1.234
 */
export function elapsedSeconds(startMs: number): number {
  return Math.round(performance.now() - startMs) / 1000;
}
