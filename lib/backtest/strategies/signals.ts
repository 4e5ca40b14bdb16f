/**
 * Turning entry and exit events into target positions: the one state machine every strategy
 * shares, so `mode` means the same everywhere.
 */
import type { Targets } from '../types.ts';
import type { StrategyMode } from './types.ts';

/**
 * Builds targets from two event tests evaluated on each bar's close. `up(t)` opens (or keeps) a
 * long; `down(t)` exits a long in `long` mode or reverses into a short in `long-short` mode.
 * Before the first event the position is flat.
 * @example targetsFromEvents(n, 'long', (t) => crossover(fast, slow, t), (t) => crossunder(fast, slow, t))
 */
export function targetsFromEvents(n: number, mode: StrategyMode, up: (t: number) => boolean, down: (t: number) => boolean): Targets {
  const targets = new Int8Array(n);
  const onDown = mode === 'long' ? 0 : -1;
  let state = 0;
  for (let t = 1; t < n; t += 1) {
    if (up(t)) state = 1;
    else if (down(t)) state = onDown;
    targets[t] = state;
  }
  return targets;
}

/**
 * The same machine for the common case "series a crosses series b": inlined comparisons instead
 * of callbacks, because grids run it for every parameter pair.
 */
export function crossTargets(a: Float64Array, b: Float64Array, mode: StrategyMode): Targets {
  const n = a.length;
  const targets = new Int8Array(n);
  const onDown = mode === 'long' ? 0 : -1;
  let state = 0;
  let prevA = a[0]!;
  let prevB = b[0]!;
  for (let t = 1; t < n; t += 1) {
    const curA = a[t]!;
    const curB = b[t]!;
    // Strict on both bars; comparisons with NaN are false, so warm-up never crosses.
    if (prevA < prevB && curA > curB) state = 1;
    else if (prevA > prevB && curA < curB) state = onDown;
    targets[t] = state;
    prevA = curA;
    prevB = curB;
  }
  return targets;
}
