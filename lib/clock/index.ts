/** The clock port: jobs ask it for "now" so tests and replays can pin time. */

export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  nowMs(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * A clock that stays where it is told, for tests and replays.
 * @example const clock = fixedClock(Date.parse('2024-03-01T00:31:00Z'));
 */
export function fixedClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    set: (ms) => { now = ms; },
    advance: (ms) => { now += ms; },
  };
}
