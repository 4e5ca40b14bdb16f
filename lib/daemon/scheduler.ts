/**
 * The daemon's core: every job of the one schedule table on its UTC cron, through an injected
 * runner, clock and timer (tests drive a fake clock across days). It owns the rules:
 *
 * 1. On start, a job whose latest slot passed while the daemon was down (lib/daemon/misfire.ts,
 *    from the lake's run records) runs once, in slot order, one after another (the backtest, a
 *    separate process, does not hold the others up).
 * 2. At a slot, a job still running (or still queued for catch-up) is not started again: skip, log.
 * 3. An in-process job past its timeout is logged as an error; it is not waited for on shutdown and
 *    nothing else is recorded (its own run record says running/abandoned). It still counts as
 *    running for rule 2 until it settles.
 * 4. `stop()`: no new starts, the signal is aborted (the backtest child is stopped), running jobs
 *    are waited for, a final status says `stopped`.
 * 5. `daemon/status.json` is written at start, every `statusEveryMs`, on each job end, on stop.
 */
import { hostname } from 'node:os';
import { Cron } from 'croner';
import { firstRunMs, readLatestRun } from '../lake/run-records.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { processFootprint } from './footprint.ts';
import { missedSlot } from './misfire.ts';
import { writeDaemonStatus } from './status-store.ts';
import type { DaemonCoreOptions, DaemonRunningJob, DaemonStatus, JobRunnerContext } from './types.ts';

/** Timeouts of the in-process jobs; the backtest has none here (its supervisor detects hangs). */
export const DEFAULT_JOB_TIMEOUT_MS: Readonly<Record<JobName, number>> = {
  update: 2 * 60 * 60_000,
  validate: 60 * 60_000,
  sentiment: 60 * 60_000,
  backup: 4 * 60 * 60_000,
  digest: 15 * 60_000,
  backtest: 0,
};

export const DEFAULT_STATUS_EVERY_MS = 60_000;

export interface DaemonCore {
  /** Reads the run records, starts catch-ups, writes the first status and arms the timer. */
  start(): Promise<void>;
  /** Graceful stop: resolves once running jobs (not timed out) have settled and `stopped` is written. */
  stop(): Promise<void>;
  /** The status object as it would be written now. */
  status(): DaemonStatus;
  /** Resolves when the catch-up queue and pending status writes are done (for tests). */
  settled(): Promise<void>;
}

interface RunningEntry extends DaemonRunningJob {
  /** Settles when the job settles or times out: what shutdown waits for. */
  wait: Promise<void>;
}

/**
 * @example
 * const core = createDaemonCore({ store, runner: realJobRunner(ctx), clock: systemClock, timer: systemTimer, logger });
 * await core.start(); process.once('SIGTERM', () => void core.stop());
 */
export function createDaemonCore(options: DaemonCoreOptions): DaemonCore {
  const { store, runner, clock, timer, logger } = options;
  const jobs = [...(options.jobs ?? (Object.keys(schedule) as JobName[]))];
  const timeouts = { ...DEFAULT_JOB_TIMEOUT_MS, ...options.timeoutsMs };
  const statusEveryMs = options.statusEveryMs ?? DEFAULT_STATUS_EVERY_MS;
  const identity = options.identity ?? { pid: process.pid, host: hostname() };
  const footprint = options.footprint ?? processFootprint();
  const crons = new Map(jobs.map((job) => [job, new Cron(schedule[job].cron, { timezone: 'UTC', paused: true })]));
  const next = new Map<JobName, number>();
  const last = new Map<JobName, { startedMs: number; outcome: string }>();
  const running = new Map<JobName, RunningEntry>();
  const queued = new Set<JobName>();
  const controller = new AbortController();
  let state: DaemonStatus['state'] = 'running';
  let startedMs = clock.nowMs();
  let handle: unknown;
  let nextStatusAtMs = 0;
  let backtestChildPid: number | undefined;
  let statusChain: Promise<void> = Promise.resolve();
  let catchUps: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;

  const nextRunAfter = (job: JobName, ms: number): number => crons.get(job)!.nextRun(new Date(ms))?.getTime() ?? Number.POSITIVE_INFINITY;
  const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

  function status(): DaemonStatus {
    const sample = footprint();
    return {
      pid: identity.pid,
      host: identity.host,
      lake: store.url,
      startedAt: new Date(startedMs).toISOString(),
      writtenAt: new Date(clock.nowMs()).toISOString(),
      state,
      jobs: jobs.map((job) => ({
        job,
        cron: schedule[job].cron,
        nextRunAt: state === 'running' ? iso(next.get(job)) : null,
        lastStartedAt: iso(last.get(job)?.startedMs),
        lastOutcome: last.get(job)?.outcome ?? null,
      })),
      running: [...running.values()].map(({ job, startedAt, reason, timedOut }) => ({ job, startedAt, reason, timedOut })),
      backtestChildPid: backtestChildPid ?? null,
      cpuPct: sample.cpuPct,
      rssBytes: sample.rssBytes,
    };
  }

  function writeStatus(): Promise<void> {
    const snapshot = status();
    statusChain = statusChain
      .then(() => writeDaemonStatus(store, snapshot))
      .catch((error: unknown) => logger.warn('daemon status not written', { error: error instanceof Error ? error.message : String(error) }));
    return statusChain;
  }

  function launch(job: JobName, reason: DaemonRunningJob['reason']): Promise<void> {
    const jobStartedMs = clock.nowMs();
    const ctx: JobRunnerContext = {
      signal: controller.signal,
      onChildPid: (pid) => {
        backtestChildPid = pid;
        void writeStatus();
      },
    };
    logger.info(`${job} started`, { job, reason });
    let run: Promise<Awaited<ReturnType<typeof runner>>>;
    try {
      run = runner(job, ctx);
    } catch (error) {
      run = Promise.reject(error);
    }
    let timeoutHandle: unknown;
    let onTimeout: () => void = () => {};
    const timedOut = new Promise<void>((resolve) => (onTimeout = resolve));
    const settled = run
      .then(
        (outcome) => {
          logger.info(`${job} ${outcome.outcome}: ${outcome.summary}`, { job, runId: outcome.runId, outcome: outcome.outcome, seconds: Math.round(outcome.seconds * 10) / 10 });
          last.set(job, { startedMs: jobStartedMs, outcome: outcome.outcome });
        },
        (error: unknown) => {
          logger.error(`${job} failed: ${error instanceof Error ? error.message : String(error)}`, { job });
          last.set(job, { startedMs: jobStartedMs, outcome: 'failed' });
        },
      )
      .finally(() => {
        if (timeoutHandle !== undefined) timer.clear(timeoutHandle);
        running.delete(job);
        if (job === 'backtest') backtestChildPid = undefined;
        void writeStatus();
      });
    const entry: RunningEntry = { job, startedAt: new Date(jobStartedMs).toISOString(), reason, timedOut: false, wait: Promise.race([settled, timedOut]) };
    running.set(job, entry);
    last.set(job, { startedMs: jobStartedMs, outcome: 'running' });
    const timeoutMs = job === 'backtest' ? 0 : timeouts[job];
    if (timeoutMs > 0) {
      timeoutHandle = timer.set(() => {
        timeoutHandle = undefined;
        entry.timedOut = true;
        logger.error(`${job} timed out after ${Math.round(timeoutMs / 60_000)} min: no longer waited for`, { job, timeoutMs });
        onTimeout();
        void writeStatus();
      }, timeoutMs);
    }
    void writeStatus();
    return entry.wait;
  }

  function arm(): void {
    if (state !== 'running') return;
    const wakeMs = Math.min(nextStatusAtMs, ...next.values());
    handle = timer.set(tick, Math.min(wakeMs - clock.nowMs(), statusEveryMs));
  }

  function tick(): void {
    handle = undefined;
    if (state !== 'running') return;
    const nowMs = clock.nowMs();
    for (const job of jobs) {
      const slotMs = next.get(job)!;
      if (slotMs > nowMs) continue;
      next.set(job, nextRunAfter(job, Math.max(nowMs, slotMs)));
      const busy = running.get(job);
      if (busy || queued.has(job)) {
        logger.warn(`${job} still running at its next slot: not started again`, { job, slot: iso(slotMs), runningSince: busy?.startedAt ?? null });
        continue;
      }
      void launch(job, 'schedule');
    }
    if (nowMs >= nextStatusAtMs) {
      nextStatusAtMs = nowMs + statusEveryMs;
      void writeStatus();
    }
    arm();
  }

  async function runCatchUps(list: readonly { job: JobName; slotMs: number }[]): Promise<void> {
    for (const { job } of list) {
      queued.delete(job);
      if (state !== 'running') continue;
      if (running.has(job)) continue;
      const wait = launch(job, 'catch-up');
      // The backtest is its own (niced) process: the in-process catch-ups need not wait for it.
      if (job !== 'backtest') await wait;
    }
  }

  return {
    async start() {
      startedMs = clock.nowMs();
      for (const job of jobs) next.set(job, nextRunAfter(job, startedMs));
      const missed: { job: JobName; slotMs: number }[] = [];
      if (options.catchUp !== false) {
        const installedMs = await firstRunMs(store, 'update').catch(() => undefined);
        for (const job of jobs) {
          try {
            const record = await readLatestRun(store, job);
            if (record) last.set(job, { startedMs: Date.parse(record.startedAt), outcome: record.outcome });
            const slotMs = missedSlot({
              job,
              nowMs: clock.nowMs(),
              ...(record ? { lastStartedMs: Date.parse(record.startedAt), lastOutcome: record.outcome } : {}),
              ...(installedMs !== undefined ? { installedMs } : {}),
              ...(options.catchUpWindowMs !== undefined ? { windowMs: options.catchUpWindowMs } : {}),
            });
            if (slotMs !== undefined) missed.push({ job, slotMs });
          } catch (error) {
            logger.warn(`${job}: run record unreadable, no catch-up`, { job, error: error instanceof Error ? error.message : String(error) });
          }
        }
      }
      missed.sort((a, b) => a.slotMs - b.slotMs);
      for (const m of missed) queued.add(m.job);
      logger.info('daemon started', {
        pid: identity.pid,
        lake: store.url,
        jobs: Object.fromEntries(jobs.map((job) => [job, iso(next.get(job))])),
        catchUp: missed.map((m) => `${m.job} (slot ${iso(m.slotMs)})`),
      });
      nextStatusAtMs = clock.nowMs() + statusEveryMs;
      void writeStatus();
      arm();
      catchUps = runCatchUps(missed);
    },

    stop() {
      stopping ??= (async () => {
        state = 'stopping';
        if (handle !== undefined) timer.clear(handle);
        handle = undefined;
        const waiting = [...running.values()].filter((r) => !r.timedOut);
        logger.info('daemon stopping: no new jobs; waiting for the running ones', { running: waiting.map((r) => r.job) });
        controller.abort();
        void writeStatus();
        await catchUps;
        await Promise.all([...running.values()].map((r) => r.wait));
        state = 'stopped';
        await writeStatus();
        logger.info('daemon stopped');
      })();
      return stopping;
    },

    status,

    async settled() {
      await catchUps;
      await statusChain;
    },
  };
}
