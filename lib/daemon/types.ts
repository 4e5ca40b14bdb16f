/** Types of the local daemon: its options, the job-runner port, the timer port and its status object. */
import type { Clock } from '../clock/index.ts';
import type { JobRunOutcome } from '../jobs/run-job.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';

/** What the daemon hands a job run besides its name. */
export interface JobRunnerContext {
  /** Aborted when the daemon shuts down: the backtest child is stopped, in-process jobs finish. */
  signal: AbortSignal;
  /** The runner reports the backtest child's pid (or `undefined` when it exited), for the status object. */
  onChildPid(pid: number | undefined): void;
}

/**
 * Runs one job once. The real one is {@link realJobRunner} (lib/daemon/runner.ts, over `runJob`);
 * tests pass a fake that records calls.
 */
export type JobRunner = (job: JobName, ctx: JobRunnerContext) => Promise<JobRunOutcome>;

/** A one-shot timer: the real `setTimeout`, or a fake that tests advance with the clock. */
export interface Timer {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** CPU share since the previous sample and resident memory. */
export interface FootprintSample {
  cpuPct: number;
  rssBytes: number;
}

export interface DaemonCoreOptions {
  /** Run records are read from it (misfires) and `daemon/status.json` is written to it. */
  store: ObjectStore;
  runner: JobRunner;
  clock: Clock;
  timer: Timer;
  logger: JobLogger;
  /** Jobs to schedule (default: every job in lib/schedule/jobs.json). */
  jobs?: readonly JobName[];
  /** Per-job timeout of in-process jobs (ms); merged over {@link DEFAULT_JOB_TIMEOUT_MS}. `0`: none. */
  timeoutsMs?: Partial<Record<JobName, number>>;
  /** Run a job whose latest slot passed while the daemon was down, once, at start (default true). */
  catchUp?: boolean;
  /** Caps how old a missed slot may be to be caught up (default: the job's period, 24 h daily, 7 d weekly). */
  catchUpWindowMs?: number;
  /** How often `daemon/status.json` is written (default 60 s; also on each job end). */
  statusEveryMs?: number;
  /** Who this daemon is, for the status object. */
  identity?: { pid: number; host: string };
  /** Samples CPU and RSS (default: process.cpuUsage / process.memoryUsage). */
  footprint?: () => FootprintSample;
}

/** One job as the status object lists it. */
export interface DaemonJobState {
  job: JobName;
  cron: string;
  nextRunAt: string | null;
  lastStartedAt: string | null;
  lastOutcome: string | null;
}

/** A job the daemon has started and that has not settled yet. */
export interface DaemonRunningJob {
  job: JobName;
  startedAt: string;
  /** Why it started: its slot, or a catch-up of a slot missed while the daemon was down. */
  reason: 'schedule' | 'catch-up';
  /** Past its timeout: the daemon logged an error and no longer waits for it on shutdown. */
  timedOut: boolean;
}

/** `daemon/status.json`: the daemon's footprint in the lake, read by `candlelake status`. */
export interface DaemonStatus {
  pid: number;
  host: string;
  lake: string;
  startedAt: string;
  writtenAt: string;
  /** `running`, `stopping` (a signal came; waiting for running jobs), `stopped` (clean exit). */
  state: 'running' | 'stopping' | 'stopped';
  jobs: DaemonJobState[];
  running: DaemonRunningJob[];
  backtestChildPid: number | null;
  cpuPct: number;
  rssBytes: number;
}
