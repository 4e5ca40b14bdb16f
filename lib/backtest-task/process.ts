/**
 * The daily backtest as a process: configuration from the environment, SIGTERM turned into a
 * checkpoint-and-exit, the outcome turned into an exit code. The Fargate entry point and the
 * `candlelake backtest-task` command (the local daemon's child) both call this.
 */
import { systemClock } from '../clock/index.ts';
import { ConfigError } from '../config/errors.ts';
import { loadConfig } from '../config/load.ts';
import { createConsoleLogger } from '../logging/console-logger.ts';
import { metricsSinkFromEnv } from '../metrics/index.ts';
import { openObjectStore } from '../object-store/index.ts';
import { runDailyBacktest, TASK_EXIT, type DailyBacktestDeps, type DailyBacktestInput } from './index.ts';
import { parseShard, type Shard } from './units.ts';

export interface TaskProcessOptions {
  shard?: string;
  config?: string;
  drill?: 'crash' | 'hang' | 'fail';
}

/**
 * Runs the task in this process and returns the exit code (it does not exit by itself).
 * @example process.exitCode = await runTaskProcess({ shard: process.env.CANDLELAKE_SHARD });
 */
export async function runTaskProcess(options: TaskProcessOptions): Promise<number> {
  const logger = createConsoleLogger({ level: (process.env.CANDLELAKE_LOG_LEVEL as 'info' | undefined) ?? 'info', fields: { job: 'backtest', pid: process.pid } });
  let config;
  let shard: Shard | undefined;
  let shardCount: number;
  try {
    config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
    const explicit = options.shard ?? process.env.CANDLELAKE_SHARD;
    shardCount = Number(process.env.CANDLELAKE_SHARD_COUNT ?? 1);
    if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`CANDLELAKE_SHARD_COUNT must be a positive integer, got "${process.env.CANDLELAKE_SHARD_COUNT}"`);
    shard = explicit ? parseShard(explicit) : shardCount === 1 ? { index: 0, count: 1 } : undefined;
  } catch (error) {
    logger.error((error as Error).message, { kind: error instanceof ConfigError ? 'config' : 'shard' });
    return TASK_EXIT.badConfig;
  }
  const abort = new AbortController();
  // Fargate sends SIGTERM and waits 30 s: stop taking units, write the state, exit.
  const onSignal = () => abort.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const drill = options.drill ?? (process.env.CANDLELAKE_DRILL as TaskProcessOptions['drill']);
    const deps: DailyBacktestDeps = {
      store: openObjectStore(config.lake),
      clock: systemClock,
      logger,
      config,
      metrics: metricsSinkFromEnv(process.env, logger),
      taskId: await taskIdentity(),
    };
    const base: Omit<DailyBacktestInput, 'shard'> = { signal: abort.signal, ...(drill ? { drill } : {}) };
    if (shard) {
      const outcome = await runDailyBacktest(deps, { ...base, shard });
      logger.info(outcome.summary, { runId: outcome.runId, exitCode: outcome.exitCode, unitsDone: outcome.unitsDone, unitsTotal: outcome.unitsTotal });
      return outcome.exitCode;
    }
    // N identical tasks (EventBridge TaskCount N) claim shards through their leases: each takes the
    // first shard nobody holds and, when done, the next, so a fast task also finishes a slow one's
    // remaining shards after that one ended.
    for (let index = 0; index < shardCount; index += 1) {
      const outcome = await runDailyBacktest(deps, { ...base, shard: { index, count: shardCount }, noWait: true });
      logger.info(outcome.summary, { runId: outcome.runId, shard: `${index}/${shardCount}`, exitCode: outcome.exitCode });
      if (outcome.exitCode === TASK_EXIT.leaseHeld) continue;
      if (outcome.exitCode !== TASK_EXIT.done) return outcome.exitCode;
    }
    return TASK_EXIT.done;
  } catch (error) {
    logger.error(`backtest task failed: ${(error as Error).message}`);
    return TASK_EXIT.internalError;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/**
 * Who this task is: `CANDLELAKE_TASK_ID`, else the ECS task ARN from the container metadata
 * endpoint (what the recovery function matches heartbeats against), else the pid.
 */
export async function taskIdentity(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.CANDLELAKE_TASK_ID) return env.CANDLELAKE_TASK_ID;
  const metadata = env.ECS_CONTAINER_METADATA_URI_V4;
  if (metadata) {
    try {
      const response = await fetch(`${metadata}/task`, { signal: AbortSignal.timeout(2_000) });
      const task = (await response.json()) as { TaskARN?: string };
      if (task.TaskARN) return task.TaskARN;
    } catch {
      // No metadata endpoint answer: fall back to the pid.
    }
  }
  return `pid:${process.pid}`;
}
