/**
 * The daemon's real job runner: `runJob` (lib/jobs/run-job.ts), the same door as the CLI and the
 * Lambdas, with each job's own log fields. The backtest runs in the supervisor's child process at
 * the daemon's nice and worker count; on shutdown the job's signal makes the supervisor stop that
 * child with SIGTERM (the task checkpoints and exits 5) without counting it as a failure.
 */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { runJob, type JobRunOutcome, type RunJobContext } from '../jobs/run-job.ts';
import type { JobLogger } from '../logging/types.ts';
import type { SupervisorEvent } from '../recovery/local-supervisor.ts';
import type { JobName } from '../schedule/index.ts';
import { withFields } from './logger.ts';
import type { JobRunner } from './types.ts';

export interface RealRunnerOptions {
  config: CandlelakeConfig;
  logger: JobLogger;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  /** The backtest child: nice (default 10) and worker threads (default cores − 1). */
  backtest: { nice: number; workers: number };
  /** The job function (default `runJob`; tests may pass a cheap one). */
  run?: (job: JobName, ctx: RunJobContext) => Promise<JobRunOutcome>;
}

/**
 * @example const runner = realJobRunner({ config, logger, clock: systemClock, backtest: { nice: 10, workers: 1 } });
 */
export function realJobRunner(options: RealRunnerOptions): JobRunner {
  const run = options.run ?? runJob;
  return async (job, { signal, onChildPid }) => {
    const logger = withFields(options.logger, { job });
    const base: RunJobContext = { config: options.config, logger, clock: options.clock, ...(options.env ? { env: options.env } : {}), signal };
    if (job !== 'backtest') return run(job, base);

    // The supervisor stops its child on the signal (SIGTERM: the task checkpoints and exits) and
    // counts that exit as no failure; the daemon only tracks the child's pid for its status.
    const onEvent = (event: SupervisorEvent) => {
      if (event.kind === 'started') onChildPid(event.pid);
      else if (event.kind === 'exited' || event.kind === 'stopped') onChildPid(undefined);
    };
    return run(job, { ...base, backtest: { ...options.backtest, onEvent } });
  };
}
