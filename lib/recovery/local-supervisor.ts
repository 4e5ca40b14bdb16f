/**
 * The embedded default's recovery: the daily backtest runs as a child process (its own pid, no
 * inherited descriptors, lower priority), watched through the same heartbeat object the health
 * probe reads, and recovered by the same policy as on AWS (lib/recovery/policy.ts): killed after
 * 2 minutes of silence, restarted with backoff, given up after 3 failures in 24 hours.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Clock } from '../clock/index.ts';
import { systemClock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { readHeartbeat } from '../backtest-task/heartbeat.ts';
import { loadRecoveryHistory, saveRecoveryHistory, RECOVERY_HISTORY_KEY, type RecoveryHistory } from './history.ts';
import { DEFAULT_RECOVERY_POLICY, decideAfterFailure, isHung, type FailureRecord, type RecoveryPolicy } from './policy.ts';

export interface SupervisorEvent {
  /** Milliseconds since the supervisor started. */
  atMs: number;
  kind: 'started' | 'hung' | 'stopped' | 'exited' | 'restart-scheduled' | 'gave-up' | 'finished';
  pid?: number;
  detail: string;
}

export interface SupervisorOptions {
  store: ObjectStore;
  logger: JobLogger;
  /** The child's command line, e.g. `[process.execPath, 'bin/candlelake.js', 'backtest-task']`. */
  command: readonly string[];
  /** Environment of each attempt (1-based); lets drills break only the first attempt. */
  env: (attempt: number) => NodeJS.ProcessEnv;
  policy?: RecoveryPolicy;
  /** How often the heartbeat is read. */
  pollMs?: number;
  /** Between SIGTERM and SIGKILL when stopping a hung child (Fargate gives 30 s). */
  killGraceMs?: number;
  /** Scheduling priority of the child (a live trader often shares the machine). */
  nice?: number;
  /** Where the failure history lives; drills keep theirs apart from the real one. */
  historyKey?: string;
  clock?: Clock;
  onEvent?: (event: SupervisorEvent) => void;
  /** Tells a person (CRITICAL) when restarts are given up. */
  notify?: (severity: 'CRITICAL' | 'WARNING', text: string) => Promise<void>;
  /**
   * Stops the run (a daemon shutting down): SIGTERM to the child, which checkpoints and exits;
   * SIGKILL after `killGraceMs`. That exit is no failure and starts no restart; the next run
   * resumes from the checkpoints.
   */
  signal?: AbortSignal;
}

export interface SupervisorResult {
  /** `stopped`: the signal ended the run (no failure recorded). */
  outcome: 'finished' | 'gave-up' | 'stopped';
  attempts: number;
  events: SupervisorEvent[];
}

// Unref'd: while it runs, the child keeps the process alive; once we return, nothing should.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Resolves when the signal aborts (never without one); `cancel` drops the listener. */
function abortedPromise(signal: AbortSignal | undefined): { aborted: Promise<'aborted'>; cancel: () => void } {
  if (!signal) return { aborted: new Promise(() => {}), cancel: () => {} };
  if (signal.aborted) return { aborted: Promise.resolve('aborted'), cancel: () => {} };
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { aborted, cancel: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Runs the daily backtest to completion under supervision.
 * @example const result = await superviseBacktest({ store, logger, command: [process.execPath, 'bin/candlelake.js', 'backtest-task'], env: () => process.env });
 */
export async function superviseBacktest(options: SupervisorOptions): Promise<SupervisorResult> {
  const policy = options.policy ?? DEFAULT_RECOVERY_POLICY;
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 5_000;
  const graceMs = options.killGraceMs ?? 30_000;
  const historyKey = options.historyKey ?? RECOVERY_HISTORY_KEY;
  const t0 = clock.nowMs();
  const events: SupervisorEvent[] = [];
  const emit = (event: Omit<SupervisorEvent, 'atMs'>) => {
    const full = { ...event, atMs: clock.nowMs() - t0 };
    events.push(full);
    options.logger.info(`supervisor: ${event.kind} ${event.detail}`, { pid: event.pid });
    options.onEvent?.(full);
  };
  const loadHistory = async (): Promise<RecoveryHistory> =>
    historyKey === RECOVERY_HISTORY_KEY ? loadRecoveryHistory(options.store) : loadAt(options.store, historyKey);
  const saveHistory = async (h: RecoveryHistory) =>
    historyKey === RECOVERY_HISTORY_KEY ? saveRecoveryHistory(options.store, h) : options.store.put(historyKey, JSON.stringify(h, null, 1));

  const stop = abortedPromise(options.signal);
  const stopped = (attempts: number, detail: string): SupervisorResult => {
    emit({ kind: 'stopped', detail });
    return { outcome: 'stopped', attempts, events };
  };
  try {
    for (let attempt = 1; ; attempt += 1) {
      if (options.signal?.aborted) return stopped(attempt - 1, 'stopped before the next attempt (shutdown)');
      const child = spawn(options.command[0]!, options.command.slice(1), {
        env: options.env(attempt),
        // Own pid and no shared descriptors: output goes nowhere the supervisor holds open.
        stdio: ['ignore', 'ignore', 'ignore'],
        detached: false,
      });
      const pid = child.pid!;
      try {
        setPriority(pid, options.nice ?? 10);
      } catch {
        // Lowering priority can fail in some sandboxes; the run still proceeds.
      }
      const startedAtMs = clock.nowMs();
      emit({ kind: 'started', pid, detail: `attempt ${attempt}, pid ${pid}` });
      const exit = waitForExit(child);
      let stoppedAsHung = false;
      let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      while (!exitInfo) {
        const result = await Promise.race([exit, sleep(pollMs).then(() => undefined), stop.aborted]);
        if (result === 'aborted') {
          const shutdownExit = await terminate(child, exit, graceMs);
          emit({ kind: 'stopped', pid, detail: `stopped for shutdown (${shutdownExit.signal ?? `exit ${shutdownExit.code}`}); not a failure` });
          return { outcome: 'stopped', attempts: attempt, events };
        }
        if (result) {
          exitInfo = result;
          break;
        }
        const heartbeat = await readHeartbeat(options.store).catch(() => undefined);
        // Until this child's first beat, the silence is measured from its start, plus the startup grace.
        const beaten = heartbeat !== undefined && heartbeat.taskId === `pid:${pid}`;
        const lastBeatMs = beaten ? heartbeat.atMs : startedAtMs + policy.startupGraceMs;
        if (isHung(lastBeatMs, clock.nowMs(), policy)) {
          const silentS = Math.round((clock.nowMs() - (beaten ? heartbeat.atMs : startedAtMs)) / 1000);
          emit({ kind: 'hung', pid, detail: `no heartbeat for ${silentS} s` });
          const history = await loadHistory();
          history.stoppedByRecovery.push(`pid:${pid}`);
          history.failures.push({ atMs: clock.nowMs(), kind: 'hang', taskId: `pid:${pid}`, detail: `no heartbeat for ${silentS} s` });
          await saveHistory(history);
          stoppedAsHung = true;
          exitInfo = await terminate(child, exit, graceMs);
          emit({ kind: 'stopped', pid, detail: `stopped as hung (${exitInfo.signal ?? `exit ${exitInfo.code}`})` });
        }
      }
      if (!stoppedAsHung) emit({ kind: 'exited', pid, detail: exitInfo.signal ? `signal ${exitInfo.signal}` : `exit ${exitInfo.code}` });
      if (!stoppedAsHung && exitInfo.code === 0) {
        emit({ kind: 'finished', pid, detail: `after ${attempt} attempt${attempt > 1 ? 's' : ''}` });
        return { outcome: 'finished', attempts: attempt, events };
      }
      const history = await loadHistory();
      if (!stoppedAsHung) {
        const failure: FailureRecord = { atMs: clock.nowMs(), kind: 'crash', taskId: `pid:${pid}`, detail: exitInfo.signal ? `signal ${exitInfo.signal}` : `exit ${exitInfo.code}` };
        history.failures.push(failure);
      }
      const decision = decideAfterFailure(history.failures, clock.nowMs(), policy);
      if (decision.action === 'give-up') {
        history.gaveUpAtMs = clock.nowMs();
        await saveHistory(history);
        emit({ kind: 'gave-up', pid, detail: decision.message });
        options.logger.error(decision.message, { severity: 'CRITICAL', key: 'backtest:gave-up' });
        await options.notify?.('CRITICAL', decision.message);
        return { outcome: 'gave-up', attempts: attempt, events };
      }
      await saveHistory(history);
      emit({ kind: 'restart-scheduled', pid, detail: `restart ${decision.attempt} in ${(decision.afterMs / 1000).toFixed(1)} s (${decision.recentFailures} failure${decision.recentFailures > 1 ? 's' : ''} in the window)` });
      // Ref'd (no child holds the process now) but cancelled by the signal.
      try {
        await delay(decision.afterMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch (error) {
        if (options.signal?.aborted) return stopped(attempt, 'restart cancelled (shutdown)');
        throw error;
      }
    }
  } finally {
    stop.cancel();
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`; resolves with its exit. */
async function terminate(child: ChildProcess, exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, graceMs: number) {
  child.kill('SIGTERM');
  const exited = await Promise.race([exit, sleep(graceMs).then(() => undefined)]);
  if (!exited) child.kill('SIGKILL');
  return exit;
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function loadAt(store: ObjectStore, key: string): Promise<RecoveryHistory> {
  const got = await store.get(key);
  return got ? (JSON.parse(Buffer.from(got.body).toString('utf8')) as RecoveryHistory) : { failures: [], stoppedByRecovery: [] };
}
