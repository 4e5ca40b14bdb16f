/**
 * The update job as an operator runs it, through the `candlelake` CLI in child processes:
 * a run killed with SIGKILL mid-write and rerun leaves no duplicate and no missing candle, and
 * two runs at once never both write — on S3 (moto) and on a local folder.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignUp, lastClosedOpenTime, timeframeMs } from '../../../lib/candles/timeframe.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { readRunRecord } from '../../../lib/lake/run-records.ts';
import { runRecordKey } from '../../../lib/lake/keys.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import type { UpdateResult } from '../../../lib/update/types.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { SERIES_STATS } from '../../harness/update-fixture.ts';
import { startCli, type CliProcess } from '../../harness/cli.ts';

const DAY = 86_400_000;

let standIn: BinanceStandIn;
let configPath: string;
beforeAll(async () => {
  standIn = await startBinanceStandIn(); // real time: the CLI runs on the system clock
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-cli-'));
  configPath = join(dir, 'candlelake.config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      exchange: { rateLimitShare: 1, retryBaseMs: 20, timeoutMs: 3_000 },
      universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['15m', '1h'] },
      // Small flushes and one series at a time: many writes for the kill to land between or inside.
      update: { flushEveryCandles: 500, concurrency: 1, leaseTtlMs: 600_000 },
    }),
  );
});
afterAll(async () => {
  await standIn.close();
});

function runCli(lakeUrl: string, args: string[]): CliProcess {
  return startCli(['--config', configPath, '--json', ...args], {
    CANDLELAKE_LAKE: lakeUrl, CANDLELAKE_BINANCE_URL: standIn.url, CANDLELAKE_LOG_LEVEL: 'warn',
  });
}

async function waitForParts(store: ObjectStore, atLeast: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await store.list('exchange=binance/dataset=ohlcv/')).length;
    if (n >= atLeast || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function seriesStats(store: ObjectStore, symbol: string, timeframe: string) {
  const lake = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'cache-')));
  try {
    return (await lake.rows(SERIES_STATS(symbol, timeframe)))[0]!;
  } finally {
    lake.close();
  }
}

describe.each(lakeBackends)('the CLI update on a $name', (backend) => {
  it('SIGKILL mid-run, twice, then a rerun: every candle exactly once', async () => {
    const { store, url } = await backend.open();
    const since = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
    const sinceMs = Date.parse(`${since}T00:00:00Z`);
    // Slow every klines answer so the run is still writing when it is killed.
    const slow = standIn.faults.add({ when: { path: '/api/v3/klines' }, action: { type: 'stall', ms: 120 } });
    const killedRunIds: string[] = [];
    try {
      for (const partsBeforeKill of [1, 4]) {
        const run = runCli(url, ['update', '--since', since]);
        const parts = await waitForParts(store, partsBeforeKill, 30_000);
        expect(parts).toBeGreaterThanOrEqual(partsBeforeKill);
        run.child.kill('SIGKILL');
        const exit = await run.done;
        expect(exit.signal).toBe('SIGKILL');
        const lease = await store.get('leases/update.json');
        killedRunIds.push((JSON.parse(Buffer.from(lease!.body).toString()) as { runId: string }).runId);
      }
    } finally {
      slow.remove();
    }

    const rerun = runCli(url, ['update', '--since', since]);
    const exit = await rerun.done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/took over the abandoned lease of run update-/);
    const record = JSON.parse(exit.stdout) as UpdateResult;
    expect(record.outcome).toBe('succeeded');
    // The dead run's lease was taken over at once (same host, process gone) and its record closed.
    expect(record.details.tookOverFrom?.runId).toBe(killedRunIds[1]);
    const killed = await readRunRecord(store, runRecordKey('update', record.details.tookOverFrom!.acquiredAtMs, killedRunIds[1]!));
    expect(killed?.outcome).toBe('abandoned');

    const endMs = Date.parse(record.endedAt!);
    for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
      for (const timeframe of ['15m', '1h'] as const) {
        const stats = await seriesStats(store, symbol, timeframe);
        const first = alignUp(sinceMs, timeframe);
        expect(stats['first']).toBe(first);
        expect(stats['last']).toBeGreaterThanOrEqual(lastClosedOpenTime(Date.parse(record.startedAt), timeframe));
        expect(stats['last']).toBeLessThanOrEqual(lastClosedOpenTime(endMs, timeframe));
        // No duplicate and no hole: the count is exactly the span.
        expect(stats['n']).toBe(stats['distinct_n']);
        expect(stats['n']).toBe(((stats['last'] as number) - first) / timeframeMs(timeframe) + 1);
      }
    }
  });

  it('two runs at once: one updates, the other says who holds the lease and exits cleanly', async () => {
    const { store, url } = await backend.open();
    const slow = standIn.faults.add({ when: { path: '/api/v3/klines' }, action: { type: 'stall', ms: 100 } });
    try {
      const a = runCli(url, ['update', '--timeframes', '1h']);
      const b = runCli(url, ['update', '--timeframes', '1h']);
      const results = await Promise.all([a.done, b.done]);
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      const records = results.map((r) => JSON.parse(r.stdout) as UpdateResult);
      const outcomes = records.map((r) => r.outcome).sort();
      expect(outcomes).toEqual(['skipped', 'succeeded']);
      const skipped = records.find((r) => r.outcome === 'skipped')!;
      const winner = records.find((r) => r.outcome === 'succeeded')!;
      expect(skipped.details.heldBy?.runId).toBe(winner.runId);
      expect(skipped.summary).toMatch(/holds the lease/);
      const stats = await seriesStats(store, 'BTC/USDT', '1h');
      expect(stats['n']).toBe(stats['distinct_n']);
      expect(stats['n']).toBe(winner.details.series.find((s) => s.symbol === 'BTC/USDT')!.written);
    } finally {
      slow.remove();
    }
  });
});
