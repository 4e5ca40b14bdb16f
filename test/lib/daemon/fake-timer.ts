/** A fake clock and timer for the daemon core: tests advance time, due timers fire in order. */
import { fixedClock } from '../../../lib/clock/index.ts';
import type { Timer } from '../../../lib/daemon/types.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import { logCallText, recordCapturedOutput } from '../../harness/secret-log-guard.ts';

interface Pending {
  id: number;
  atMs: number;
  callback: () => void;
}

/** Lets promise chains and I/O callbacks that are already due run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * @example const { clock, timer, advanceTo } = fakeTime(Date.parse('2024-06-09T00:00:00Z')); await advanceTo(Date.parse('2024-06-10T00:00:00Z'));
 */
export function fakeTime(startMs: number) {
  const clock = fixedClock(startMs);
  let pending: Pending[] = [];
  let seq = 0;
  const timer: Timer = {
    set(callback, delayMs) {
      seq += 1;
      pending.push({ id: seq, atMs: clock.nowMs() + Math.max(0, delayMs), callback });
      return seq;
    },
    clear(handle) {
      pending = pending.filter((p) => p.id !== handle);
    },
  };
  async function advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      await flush();
      const due = pending.filter((p) => p.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (!due) break;
      pending = pending.filter((p) => p !== due);
      clock.set(Math.max(clock.nowMs(), due.atMs));
      due.callback();
    }
    clock.set(Math.max(clock.nowMs(), targetMs));
    await flush();
  }
  return { clock, timer, advanceTo, advance: (ms: number) => advanceTo(clock.nowMs() + ms), pendingCount: () => pending.length };
}

/** A logger that keeps its lines. */
export function memoryLogger(): JobLogger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
    recordCapturedOutput(logCallText(level, message, fields), 'memoryLogger');
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise the test settles. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}
