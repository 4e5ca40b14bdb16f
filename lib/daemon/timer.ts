/** The timer port of the daemon's scheduler: the real `setTimeout`, replaced by a fake in tests. */
import type { Timer } from './types.ts';

/** Node's own timers. Delays are capped by the scheduler (it wakes at least every status interval). */
export const systemTimer: Timer = {
  set: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs)),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
