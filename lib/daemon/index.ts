/**
 * `candlelake start`: the local 24/7 daemon. One process per lake (a pid file, and a fresh
 * `daemon/status.json` of a live daemon elsewhere), every job of lib/schedule/jobs.json on its UTC
 * cron through `runJob`, logs on stdout and in a rotating file, and a clean stop on SIGTERM/SIGINT
 * (a second signal exits at once).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import type { LogLevel } from '../logging/console-logger.ts';
import { openObjectStore } from '../object-store/index.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';
import { DAEMON_STALE_MS } from '../status/rules.ts';
import { createDaemonLogger } from './logger.ts';
import { acquirePidLock, DaemonAlreadyRunningError, isProcessAlive } from './pid-lock.ts';
import { openRotatingFile, type RotatingFileOptions } from './rotating-file.ts';
import { realJobRunner } from './runner.ts';
import { createDaemonCore } from './scheduler.ts';
import { readDaemonStatus } from './status-store.ts';
import { systemTimer } from './timer.ts';
import type { JobRunner } from './types.ts';
import { startDashboardServer } from '../dashboard/index.ts';

export { createDaemonCore, DEFAULT_JOB_TIMEOUT_MS, DEFAULT_STATUS_EVERY_MS, type DaemonCore } from './scheduler.ts';
export { DaemonAlreadyRunningError } from './pid-lock.ts';
export { DAEMON_STATUS_KEY, readDaemonStatus } from './status-store.ts';
export type * from './types.ts';

/** The daemon's defaults, merged with the caller's options. */
export const DAEMON_DEFAULTS = {
  stateDir: '.candlelake',
  backtestNice: 10,
  logMaxBytes: 10 * 1024 * 1024,
  logKeep: 5,
} as const;

export interface DaemonOptions {
  config: CandlelakeConfig;
  /** Pid files and logs (default `.candlelake` in the working directory). */
  stateDir?: string;
  jobs?: readonly JobName[];
  timeoutsMs?: Partial<Record<JobName, number>>;
  catchUp?: boolean;
  catchUpWindowMs?: number;
  backtest: { nice: number; workers: number };
  /** The log file (default `<stateDir>/logs/daemon.log`) and its rotation. */
  logFile?: string;
  logRotation?: RotatingFileOptions;
  logLevel?: LogLevel;
  clock?: Clock;
  /** Replaces the real runner (tests only). */
  runner?: JobRunner;
  /** Called once the daemon has started (tests; the CLI logs instead). */
  onStarted?: () => void;
  /** Serve the status dashboard on this loopback port while running (0: any free port; undefined: none). */
  dashboardPort?: number;
}

/** Exit codes of `candlelake start`. */
export const DAEMON_EXIT = { ok: 0, failed: 1, alreadyRunning: 2 } as const;

/**
 * Runs the daemon until SIGTERM/SIGINT; resolves with the exit code.
 * @example process.exitCode = await runDaemon({ config, backtest: { nice: 10, workers: 1 } });
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  const stateDir = options.stateDir ?? DAEMON_DEFAULTS.stateDir;
  const store = openObjectStore(options.config.lake);
  let lock;
  try {
    await refuseLiveDaemonElsewhere(store, clock);
    lock = acquirePidLock(stateDir, store.url, { pid: process.pid, startedAtMs: clock.nowMs() });
  } catch (error) {
    if (!(error instanceof DaemonAlreadyRunningError)) throw error;
    process.stderr.write(`candlelake: ${error.message}\n`);
    return DAEMON_EXIT.alreadyRunning;
  }
  const logger = createDaemonLogger({
    ...(options.logLevel ? { level: options.logLevel } : {}),
    file: openRotatingFile(options.logFile ?? join(stateDir, 'logs', 'daemon.log'), options.logRotation),
  });
  const core = createDaemonCore({
    store,
    clock,
    timer: systemTimer,
    logger,
    runner: options.runner ?? realJobRunner({ config: options.config, logger, clock, backtest: options.backtest }),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.timeoutsMs ? { timeoutsMs: options.timeoutsMs } : {}),
    ...(options.catchUp !== undefined ? { catchUp: options.catchUp } : {}),
    ...(options.catchUpWindowMs !== undefined ? { catchUpWindowMs: options.catchUpWindowMs } : {}),
  });
  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) {
        logger.info(`${signal}: stopping after the running jobs (send it again to exit at once)`, { signal });
        void core.stop().then(resolve, (error: unknown) => {
          logger.error(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
          resolve();
        });
        return;
      }
      logger.warn(`${signal} again: exiting now`, { signal });
      lock.release();
      process.exit(DAEMON_EXIT.failed);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // The dashboard beside the jobs: the same page as `candlelake dashboard`, over the same lake.
  const dashboard = options.dashboardPort === undefined
    ? undefined
    : await startDashboardServer({ store, config: options.config, clock, logger, port: options.dashboardPort }).catch((error: unknown) => {
        logger.warn(`dashboard not served: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
  try {
    await core.start();
    logger.info(`daemon running: pid ${process.pid}, pid file ${lock.path}${dashboard ? `, dashboard ${dashboard.url}` : ''}`, { pidFile: lock.path, backtest: options.backtest, ...(dashboard ? { dashboard: dashboard.url } : {}) });
    options.onStarted?.();
    await stopped;
    return DAEMON_EXIT.ok;
  } finally {
    await dashboard?.close();
    lock.release();
  }
}

/**
 * A daemon elsewhere (another working directory or host) that wrote `daemon/status.json` within
 * the stale limit and is not known dead holds the lake too.
 */
async function refuseLiveDaemonElsewhere(store: ObjectStore, clock: Clock): Promise<void> {
  const status = await readDaemonStatus(store).catch(() => undefined);
  if (!status || status.state === 'stopped') return;
  if (clock.nowMs() - Date.parse(status.writtenAt) > DAEMON_STALE_MS) return;
  if (status.host === hostname() && (status.pid === process.pid || !isProcessAlive(status.pid))) return;
  throw new DaemonAlreadyRunningError(
    { pid: status.pid, host: status.host, lake: store.url, startedAt: status.startedAt },
    `${store.url}/daemon/status.json`,
  );
}

