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
import { runDailyBacktest, TASK_EXIT } from './index.ts';
import { parseShard } from './units.ts';

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
  let shard;
  try {
    config = loadConfig({ env: process.env, ...(options.config ? { file: options.config } : {}) });
    shard = parseShard(options.shard ?? process.env.CANDLELAKE_SHARD);
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
    const outcome = await runDailyBacktest(
      {
        store: openObjectStore(config.lake),
        clock: systemClock,
        logger,
        config,
        metrics: metricsSinkFromEnv(process.env, logger),
        taskId: process.env.CANDLELAKE_TASK_ID ?? `pid:${process.pid}`,
      },
      { shard, signal: abort.signal, ...(drill ? { drill } : {}) },
    );
    logger.info(outcome.summary, { runId: outcome.runId, exitCode: outcome.exitCode, unitsDone: outcome.unitsDone, unitsTotal: outcome.unitsTotal });
    return outcome.exitCode;
  } catch (error) {
    logger.error(`backtest task failed: ${(error as Error).message}`);
    return TASK_EXIT.internalError;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
