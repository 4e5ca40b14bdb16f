/**
 * The daily backtest (23:30 UTC) as a resumable task: it plans units (symbol × timeframe ×
 * strategy), skips those a previous attempt finished, runs the rest with the engine, writes each
 * unit's results to the lake (the checkpoint), and beats a heartbeat every 30 s. The same
 * function runs as the Fargate task and as the local daemon's supervised child process.
 */
import { Cron } from 'croner';
import { availableParallelism } from 'node:os';
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { runBacktest } from '../backtest/run.ts';
import { parseGrid, parseParamList } from '../backtest/params-spec.ts';
import { storeBacktestRun } from '../backtest/store-results.ts';
import type { Stats } from '../backtest/types.ts';
import { acquireLease } from '../lake/lease.ts';
import { openLakeQuery } from '../lake/query.ts';
import { utcDate } from '../lake/keys.ts';
import { writeRunRecord, type RunRecord } from '../lake/run-records.ts';
import type { JobLogger } from '../logging/types.ts';
import type { MetricsSink } from '../metrics/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { schedule } from '../schedule/index.ts';
import { resolveRecoveryAlerts } from '../notify/recovery-alerts.ts';
import { criticalFindingsBySeries, readLatestValidateReport } from '../validate/report-store.ts';
import { beat } from './heartbeat.ts';
import { planUnits, shardUnits, type Shard, type Unit } from './units.ts';

/** Exit codes of the task: the supervisor and ECS act on them. */
export const TASK_EXIT = {
  done: 0,
  badConfig: 2,
  dataUnavailable: 3,
  internalError: 4,
  /** Stopped by SIGTERM after checkpointing; a restart resumes. */
  interrupted: 5,
  /** Another attempt of this run and shard holds the lease. */
  leaseHeld: 6,
} as const;

export interface DailyBacktestDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  config: CandlelakeConfig;
  metrics?: MetricsSink;
  /** pid locally, task ARN on Fargate. */
  taskId: string;
}

export interface DailyBacktestInput {
  shard: Shard;
  /** Aborted on SIGTERM: the task finishes nothing new, writes its state and exits. */
  signal?: AbortSignal;
  /** Failure drills: `crash` exits after the first unit, `hang` stops heartbeating and blocks, `fail` fails at once. */
  drill?: 'crash' | 'hang' | 'fail';
  /** Claiming a shard: give up at once when another task holds it, instead of waiting out its lease. */
  noWait?: boolean;
}

export interface DailyBacktestOutcome {
  exitCode: number;
  runId: string;
  unitsTotal: number;
  unitsDone: number;
  unitsSkippedAsDone: number;
  summary: string;
}

/**
 * The date a run belongs to: that of the most recent scheduled start, so a restart after midnight
 * still resumes the run that began at 23:30.
 * @example dailyRunDate(Date.parse('2024-06-11T00:10:00Z')) // '2024-06-10'
 */
export function dailyRunDate(nowMs: number): string {
  const [last] = new Cron(schedule.backtest.cron, { timezone: 'UTC', paused: true }).previousRuns(1, new Date(nowMs + 1));
  return utcDate(last ? last.getTime() : nowMs);
}

function doneKey(runDate: string, runId: string, unitId: string): string {
  return `backtest-daily/run_date=${runDate}/${runId}/done/${unitId}.json`;
}

/**
 * Runs (or resumes) today's daily backtest for one shard.
 * @example const outcome = await runDailyBacktest(deps, { shard: { index: 0, count: 1 } }); process.exitCode = outcome.exitCode;
 */
export async function runDailyBacktest(deps: DailyBacktestDeps, input: DailyBacktestInput): Promise<DailyBacktestOutcome> {
  const { store, clock, logger, config } = deps;
  const nowMs = clock.nowMs();
  const runDate = dailyRunDate(nowMs);
  const runId = `backtest-${runDate}`;
  const shardName = `${input.shard.index}/${input.shard.count}`;
  const units = shardUnits(planUnits(config), input.shard);
  const outcome: DailyBacktestOutcome = { exitCode: TASK_EXIT.done, runId, unitsTotal: units.length, unitsDone: 0, unitsSkippedAsDone: 0, summary: '' };
  if (input.drill === 'fail') {
    outcome.exitCode = TASK_EXIT.internalError;
    outcome.summary = 'drill: failing at start';
    return outcome;
  }

  // The lease lives two heartbeats: a crashed attempt's lease expires soon after it stops beating,
  // and its replacement waits that out rather than failing (locally a dead pid frees it at once).
  const leaseTtlMs = Math.max(2 * config.backtest.heartbeatMs, 1_000);
  const leaseOptions = { name: `backtest-${runDate}-shard-${input.shard.index}`, runId: `${runId}@${deps.taskId}`, ttlMs: leaseTtlMs, clock };
  let attempt = await acquireLease(store, leaseOptions);
  for (let waited = 0; !attempt.acquired && !input.noWait && waited <= leaseTtlMs + 5_000; waited += 1_000) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    attempt = await acquireLease(store, leaseOptions);
  }
  if (!attempt.acquired) {
    outcome.exitCode = TASK_EXIT.leaseHeld;
    outcome.summary = `run ${runId} shard ${shardName} is held by ${attempt.holder.runId} (pid ${attempt.holder.pid} on ${attempt.holder.host})`;
    return outcome;
  }
  const lease = attempt.lease;
  const done = new Set((await store.list(`backtest-daily/run_date=${runDate}/${runId}/done/`)).map((o) => o.key));
  const pending = units.filter((u) => !done.has(doneKey(runDate, runId, u.id)));
  outcome.unitsSkippedAsDone = units.length - pending.length;
  outcome.unitsDone = outcome.unitsSkippedAsDone;

  let silent = false; // the hang drill stops beating
  const heartbeat = async (state: 'running' | 'finished' | 'failed') => {
    if (silent) return;
    await beat(store, deps.metrics, { runId, runDate, state, atMs: clock.nowMs(), unitsDone: outcome.unitsDone, unitsTotal: units.length, taskId: deps.taskId, shard: shardName });
  };
  await heartbeat('running');
  const timer = setInterval(() => {
    heartbeat('running').catch((error: unknown) => logger.warn('heartbeat failed', { reason: (error as Error).message }));
    lease.renew().catch(() => undefined);
  }, config.backtest.heartbeatMs);
  const record: RunRecord = {
    job: 'backtest', runId, trigger: `task ${deps.taskId} shard ${shardName}`, startedAt: new Date(nowMs).toISOString(),
    outcome: 'running', summary: `running: ${outcome.unitsSkippedAsDone}/${units.length} units already done`, details: { shard: shardName, unitsTotal: units.length },
  };
  await writeRunRecord(store, record);

  const lake = await openLakeQuery(store, config.cacheDir);
  try {
    const storedFindings = criticalFindingsBySeries(await readLatestValidateReport(store));
    const workers = config.backtest.workers ?? Math.max(1, availableParallelism() - 1);
    for (const unit of pending) {
      if (input.signal?.aborted) {
        outcome.exitCode = TASK_EXIT.interrupted;
        break;
      }
      await runUnit(unit);
      outcome.unitsDone += 1;
      if (input.drill === 'crash') {
        outcome.exitCode = TASK_EXIT.internalError;
        outcome.summary = 'drill: crashing after one unit';
        return outcome;
      }
      if (input.drill === 'hang') {
        silent = true;
        logger.warn('drill: hanging (no more heartbeats)');
        await new Promise<void>((resolve) => input.signal?.addEventListener('abort', () => resolve(), { once: true }));
        outcome.exitCode = TASK_EXIT.interrupted;
        break;
      }
    }

    async function runUnit(unit: Unit): Promise<void> {
      const run = await runBacktest(
        { clock, logger },
        {
          runId,
          source: { kind: 'lake', lake, symbols: [unit.symbol], timeframes: [unit.timeframe], fromMs: Date.parse(`${runDate}T00:00:00Z`) - config.backtest.windowDays * 86_400_000 },
          strategies: [{ name: unit.strategy, params: parseParamList(unit.params), ...(unit.grid ? { grid: parseGrid(unit.grid) } : {}) }],
          engine: { cash: config.backtest.cash, feeRate: config.backtest.feeRate, slippageBps: config.backtest.slippageBps, fillAt: 'next-open' },
          rankBy: config.backtest.rankBy as keyof Stats,
          workers,
          maxAgeMs: 2 * 86_400_000,
          storedFindings,
        },
      );
      // The run's start is the run date's, so every unit lands in the same run_date partition.
      const dated = { ...run, startedAt: `${runDate}T23:30:00.000Z` };
      if (run.results.length > 0) await storeBacktestRun(store, dated, unit.id);
      await store.put(
        doneKey(runDate, runId, unit.id),
        JSON.stringify({ unit, results: run.results.length, skipped: run.skipped, best: run.best.map((b) => ({ params: b.result.params, stats: b.result.stats })) }),
        { contentType: 'application/json' },
      );
    }
  } catch (error) {
    outcome.exitCode = error instanceof RangeError || error instanceof TypeError ? TASK_EXIT.internalError : TASK_EXIT.dataUnavailable;
    outcome.summary = `failed: ${(error as Error).message}`;
    logger.error(outcome.summary, { runId });
  } finally {
    clearInterval(timer);
    lake.close();
  }
  const finished = outcome.exitCode === TASK_EXIT.done;
  await heartbeat(finished ? 'finished' : outcome.exitCode === TASK_EXIT.interrupted ? 'running' : 'failed');
  record.outcome = finished ? 'succeeded' : outcome.exitCode === TASK_EXIT.interrupted ? 'running' : 'failed';
  record.endedAt = new Date(clock.nowMs()).toISOString();
  outcome.summary ||= finished
    ? `finished: ${units.length} units (${outcome.unitsSkippedAsDone} from an earlier attempt)`
    : `interrupted after ${outcome.unitsDone}/${units.length} units; a restart resumes`;
  record.summary = outcome.summary;
  record.details = { shard: shardName, unitsTotal: units.length, unitsDone: outcome.unitsDone, resumedFrom: outcome.unitsSkippedAsDone };
  await writeRunRecord(store, record);
  // The run finished: whatever recovery said about it (restarts, giving up) is over.
  if (finished) await resolveRecoveryAlerts({ store, clock, logger }, runId);
  await lease.release();
  return outcome;
}
