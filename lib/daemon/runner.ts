/**
 * The daemon's real job runner: `runJob` (lib/jobs/run-job.ts), the same door as the CLI and the
 * Lambdas, with each job's own log fields. The backtest runs in the supervisor's child process at
 * the daemon's nice and worker count; on shutdown the daemon stops that child with SIGTERM (the
 * task checkpoints and exits 5) and does not wait for the supervisor's restart.
 */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { runJob, type JobRunOutcome, type RunJobContext } from '../jobs/run-job.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { loadRecoveryHistory, saveRecoveryHistory } from '../recovery/history.ts';
import type { SupervisorEvent } from '../recovery/local-supervisor.ts';
import type { JobName } from '../schedule/index.ts';
import { withFields } from './logger.ts';
import type { JobRunner } from './types.ts';

export interface RealRunnerOptions {
  config: CandlelakeConfig;
  logger: JobLogger;
  clock: Clock;
  /** The lake, for the recovery history fix-up after a shutdown stop. */
  store: ObjectStore;
  env?: NodeJS.ProcessEnv;
  /** The backtest child: nice (default 10) and worker threads (default cores − 1). */
  backtest: { nice: number; workers: number };
  /** The job function (default `runJob`; tests may pass a cheap one). */
  run?: (job: JobName, ctx: RunJobContext) => Promise<JobRunOutcome>;
}

/**
 * @example const runner = realJobRunner({ config, logger, clock: systemClock, store, backtest: { nice: 10, workers: 1 } });
 */
export function realJobRunner(options: RealRunnerOptions): JobRunner {
  const run = options.run ?? runJob;
  return async (job, { signal, onChildPid }) => {
    const logger = withFields(options.logger, { job });
    const base: RunJobContext = { config: options.config, logger, clock: options.clock, ...(options.env ? { env: options.env } : {}), signal };
    if (job !== 'backtest') return run(job, base);

    // The supervisor takes no signal: the daemon stops its child itself and stops waiting once
    // the supervisor has recorded that exit (it would otherwise schedule a restart).
    let childPid: number | undefined;
    let stoppedPid: number | undefined;
    let onRecorded: () => void = () => {};
    const recorded = new Promise<void>((resolve) => (onRecorded = resolve));
    const stopChild = () => {
      // Between attempts (the supervisor sleeping before a restart): nothing to stop, nothing to wait for.
      if (childPid === undefined) return onRecorded();
      stoppedPid = childPid;
      logger.info('stopping the backtest child (SIGTERM: it checkpoints and exits)', { pid: childPid });
      try {
        process.kill(childPid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    const onEvent = (event: SupervisorEvent) => {
      if (event.kind === 'started') {
        childPid = event.pid;
        onChildPid(event.pid);
        // A restart the supervisor began while we were stopping: stop it too.
        if (signal.aborted) stopChild();
      } else if (event.kind === 'exited' || event.kind === 'stopped') {
        childPid = undefined;
        onChildPid(undefined);
      } else if (signal.aborted && (event.kind === 'restart-scheduled' || event.kind === 'gave-up')) {
        onRecorded();
      }
    };
    signal.addEventListener('abort', stopChild, { once: true });
    const result = run(job, { ...base, backtest: { ...options.backtest, onEvent } });
    try {
      const interrupted = recorded.then(async (): Promise<JobRunOutcome> => {
        if (stoppedPid !== undefined) await forgetShutdownFailure(options.store, stoppedPid, logger);
        return { job, runId: `backtest-${new Date(options.clock.nowMs()).toISOString().slice(0, 10)}`, outcome: 'interrupted', summary: 'stopped by the daemon shutdown; the next run resumes from its checkpoints', seconds: 0 };
      });
      return await Promise.race([result, interrupted]);
    } finally {
      signal.removeEventListener('abort', stopChild);
    }
  };
}

/** A stop the daemon asked for is no failure: drop it from the backtest's failure history. */
async function forgetShutdownFailure(store: ObjectStore, pid: number, logger: JobLogger): Promise<void> {
  try {
    const history = await loadRecoveryHistory(store);
    const taskId = `pid:${pid}`;
    const failures = history.failures.filter((f) => f.taskId !== taskId);
    if (failures.length !== history.failures.length) await saveRecoveryHistory(store, { ...history, failures });
  } catch (error) {
    logger.warn('backtest failure history not updated after the shutdown stop', { error: error instanceof Error ? error.message : String(error) });
  }
}
