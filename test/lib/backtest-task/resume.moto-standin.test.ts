/**
 * The daily task over a lake on S3 in moto, in process: a crashed attempt and its restart end
 * with exactly the results of an uninterrupted run; the restart skips the finished unit.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { runDailyBacktest, TASK_EXIT } from '../../../lib/backtest-task/index.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { MemoryMetricsSink } from '../../../lib/metrics/index.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { capturingLogger, testConfig, updateHarness } from '../../harness/update-fixture.ts';

const UPDATE_AT = Date.UTC(2024, 5, 10, 0, 31);
const TASK_AT = Date.UTC(2024, 5, 10, 23, 31);
const SETUP = {
  universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h' as const, '4h' as const] },
  update: { initialLookbackDays: 30 },
  features: { enabled: false },
  backtest: { timeframes: ['1h' as const, '4h' as const], windowDays: 20, workers: 0, heartbeatMs: 60_000, strategies: [{ name: 'sma-cross', grid: 'fast=5..15:5,slow=20..40:10' }] },
};

let standIn: BinanceStandIn;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
});
afterAll(async () => {
  await standIn.close();
});

const s3 = lakeBackends.find((b) => b.name.includes('S3'))!;

async function run(store: ObjectStore, url: string, drill?: 'crash') {
  const config = testConfig(standIn, url, { ...SETUP, cacheDir: await mkdtemp(join(tmpdir(), 'cache-')) });
  const metrics = new MemoryMetricsSink();
  const outcome = await runDailyBacktest(
    { store, clock: fixedClock(TASK_AT), logger: capturingLogger(), config, metrics, taskId: `test:${Math.random()}` },
    { shard: { index: 0, count: 1 }, ...(drill ? { drill } : {}) },
  );
  return { outcome, metrics, config };
}

async function results(store: ObjectStore) {
  const q = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'cache-')));
  try {
    return await q.rows('SELECT symbol, timeframe, strategy, params, total_return_pct, sharpe, trades, is_best FROM backtest_runs ORDER BY ALL');
  } finally {
    q.close();
  }
}

describe('daily backtest on S3 (moto)', () => {
  it('crash, restart, resume: same results as an uninterrupted run; heartbeat and run record tell the story', async () => {
    const a = await s3.open();
    const b = await s3.open();
    for (const lake of [a, b]) await updateHarness(lake.store, lake.url, standIn, UPDATE_AT).run({}, SETUP);

    const clean = await run(a.store, a.url);
    expect(clean.outcome).toMatchObject({ exitCode: TASK_EXIT.done, runId: 'backtest-2024-06-10', unitsTotal: 4, unitsDone: 4, unitsSkippedAsDone: 0 });
    expect(clean.metrics.latest('BacktestProgress')?.value).toBe(100);

    const crashed = await run(b.store, b.url, 'crash');
    expect(crashed.outcome).toMatchObject({ exitCode: TASK_EXIT.internalError, unitsDone: 1 });
    // In process the "crashed" attempt's pid lives on; a real crash frees the lease (dead pid or
    // expiry, see the CLI drill test). Remove it as the dead process would have left it stale.
    for (const o of await b.store.list('leases/backtest-')) await b.store.delete(o.key);
    const resumed = await run(b.store, b.url);
    expect(resumed.outcome).toMatchObject({ exitCode: TASK_EXIT.done, unitsDone: 4, unitsSkippedAsDone: 1 });

    expect(await results(b.store)).toEqual(await results(a.store));
    const heartbeat = JSON.parse(Buffer.from((await b.store.get('heartbeats/backtest.json'))!.body).toString()) as { state: string; unitsDone: number; unitsTotal: number };
    expect(heartbeat).toMatchObject({ state: 'finished', unitsDone: 4, unitsTotal: 4 });
    const record = JSON.parse(Buffer.from((await b.store.get('runs/job=backtest/latest.json'))!.body).toString()) as { outcome: string; details: { resumedFrom: number } };
    expect(record).toMatchObject({ outcome: 'succeeded', details: { resumedFrom: 1 } });
  });
});

describe('shards claimed by identical tasks', () => {
  it('two tasks started alike split the shards through their leases and together finish every unit once', async () => {
    const lake = await s3.open();
    await updateHarness(lake.store, lake.url, standIn, UPDATE_AT).run({}, SETUP);
    const config = testConfig(standIn, lake.url, { ...SETUP, cacheDir: await mkdtemp(join(tmpdir(), 'cache-')) });
    const claim = async (taskId: string) => {
      const ran: number[] = [];
      for (let index = 0; index < 2; index += 1) {
        const outcome = await runDailyBacktest(
          { store: lake.store, clock: fixedClock(TASK_AT), logger: capturingLogger(), config, taskId },
          { shard: { index, count: 2 }, noWait: true },
        );
        if (outcome.exitCode === TASK_EXIT.done && outcome.unitsDone > outcome.unitsSkippedAsDone) ran.push(index);
      }
      return ran;
    };
    const [a, b] = await Promise.all([claim('task-a'), claim('task-b')]);
    // Each shard was run by exactly one task.
    expect([...a, ...b].sort()).toEqual([0, 1]);
    const done = await lake.store.list('backtest-daily/run_date=2024-06-10/backtest-2024-06-10/done/');
    expect(done).toHaveLength(4);
  });
});

describe('taskIdentity', () => {
  it('prefers CANDLELAKE_TASK_ID, then the ECS metadata task ARN, then the pid', async () => {
    const { taskIdentity } = await import('../../../lib/backtest-task/process.ts');
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => res.end(JSON.stringify({ TaskARN: `arn:aws:ecs:us-east-1:123456789012:task/c/abc${req.url}` })));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const uri = `http://127.0.0.1:${(server.address() as { port: number }).port}/v4/x`;
    try {
      expect(await taskIdentity({ CANDLELAKE_TASK_ID: 'given' })).toBe('given');
      expect(await taskIdentity({ ECS_CONTAINER_METADATA_URI_V4: uri })).toBe('arn:aws:ecs:us-east-1:123456789012:task/c/abc/v4/x/task');
      expect(await taskIdentity({})).toBe(`pid:${process.pid}`);
    } finally {
      server.close();
    }
  });
});
