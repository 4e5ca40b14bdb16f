/**
 * The daily backtest task and its local supervision, for real: child processes of the CLI, a
 * lake filled by the update job from the Binance stand-in, drills with shortened intervals.
 * A resumed run skips finished units and ends with the same results as an uninterrupted one.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyRunDate } from '../../../lib/backtest-task/index.ts';
import { planUnits, parseShard, shardUnits } from '../../../lib/backtest-task/units.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { runCli } from '../../harness/cli.ts';

let standIn: BinanceStandIn;
let seedLake: string;
let configPath: string;
// A generous startup grace: on a loaded machine a child can take seconds to beat first, which is not a hang.
const FAST = ['--heartbeat-ms', '200', '--hang-after-ms', '1500', '--startup-grace-ms', '20000', '--backoff-ms', '100', '--poll-ms', '100', '--kill-grace-ms', '1000'];

beforeAll(async () => {
  standIn = await startBinanceStandIn(); // real time: the task runs on the system clock
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-daily-'));
  seedLake = join(dir, 'lake');
  configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({
    exchange: { rateLimitShare: 1, retryBaseMs: 10 },
    universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h', '4h'] },
    update: { initialLookbackDays: 30 },
    features: { enabled: false },
    backtest: { timeframes: ['1h', '4h'], windowDays: 30, workers: 0, strategies: [{ name: 'sma-cross', grid: 'fast=5..15:5,slow=20..40:10' }, { name: 'macd' }] },
  }));
  const update = await runCli(['--config', configPath, 'update'], { CANDLELAKE_LAKE: `file://${seedLake}`, CANDLELAKE_BINANCE_URL: standIn.url, CANDLELAKE_LOG_LEVEL: 'error' });
  expect(update.code).toBe(0);
});
afterAll(async () => {
  await standIn.close();
});

async function copyOfLake(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'candlelake-daily-copy-')), 'lake');
  await cp(seedLake, dir, { recursive: true });
  return dir;
}

const env = (lake: string) => ({ CANDLELAKE_LAKE: `file://${lake}`, CANDLELAKE_CONFIG: configPath, CANDLELAKE_LOG_LEVEL: 'error', CANDLELAKE_BACKTEST_HEARTBEAT_MS: '200' });

async function results(lake: string) {
  const q = await openLakeQuery(new FileObjectStore(lake), join(lake, '..', 'cache'));
  try {
    return await q.rows(
      "SELECT symbol, timeframe, strategy, params, round(total_return_pct, 9) AS r, trades, is_best FROM backtest_runs WHERE run_id LIKE 'backtest-20%' ORDER BY ALL",
    );
  } finally {
    q.close();
  }
}

describe('units and shards', () => {
  it('plan symbol × timeframe × strategy with stable ids; shards split them without overlap', () => {
    const config = loadConfig({ file: configPath, env: {} });
    const units = planUnits(config);
    expect(units.map((u) => u.id)).toEqual([
      'BTC-USDT_1h_sma-cross', 'BTC-USDT_1h_macd', 'BTC-USDT_4h_sma-cross', 'BTC-USDT_4h_macd',
      'ETH-USDT_1h_sma-cross', 'ETH-USDT_1h_macd', 'ETH-USDT_4h_sma-cross', 'ETH-USDT_4h_macd',
    ]);
    const a = shardUnits(units, parseShard('0/3')).map((u) => u.id);
    const b = shardUnits(units, parseShard('1/3')).map((u) => u.id);
    const c = shardUnits(units, parseShard('2/3')).map((u) => u.id);
    expect([...a, ...b, ...c].sort()).toEqual(units.map((u) => u.id).sort());
    expect(() => parseShard('3/3')).toThrow(/invalid shard/);
  });

  it('a restart after midnight belongs to the run that started at 23:30', () => {
    expect(dailyRunDate(Date.parse('2024-06-11T00:10:00Z'))).toBe('2024-06-10');
    expect(dailyRunDate(Date.parse('2024-06-10T23:30:00Z'))).toBe('2024-06-10');
    expect(dailyRunDate(Date.parse('2024-06-10T23:29:59Z'))).toBe('2024-06-09');
  });
});

describe('drills with shortened intervals (the production supervisor and policy)', () => {
  it('crash: detected, restarted, resumed — same results as an uninterrupted run', async () => {
    const clean = await copyOfLake();
    const uninterrupted = await runCli(['backtest-task'], env(clean));
    expect(uninterrupted.code).toBe(0);
    const expected = await results(clean);
    expect(expected.length).toBeGreaterThan(8);

    const drilled = await copyOfLake();
    const exit = await runCli(['--json', '--lake', `file://${drilled}`, 'drill', 'crash', ...FAST], { CANDLELAKE_CONFIG: configPath, CANDLELAKE_LOG_LEVEL: 'error' });
    expect(exit.code).toBe(0);
    const report = JSON.parse(exit.stdout) as { outcome: string; attempts: number; events: Array<{ kind: string; detail: string }> };
    expect(report.outcome).toBe('finished');
    expect(report.attempts).toBe(2);
    expect(report.events.map((e) => e.kind)).toEqual(['started', 'exited', 'restart-scheduled', 'started', 'exited', 'finished']);
    expect(report.events[1]!.detail).toBe('exit 4');
    expect(await results(drilled)).toEqual(expected);
    // The second attempt resumed: the crashed attempt's finished unit was not run again.
    const record = JSON.parse((await new FileObjectStore(drilled).get('runs/job=backtest/latest.json'))!.body.toString()) as { outcome: string; details: { resumedFrom: number } };
    expect(record).toMatchObject({ outcome: 'succeeded', details: { resumedFrom: 1 } });
  });

  it('hang: silence detected, the task stopped (not counted twice) and replaced', async () => {
    const lake = await copyOfLake();
    const exit = await runCli(['--json', '--lake', `file://${lake}`, 'drill', 'hang', ...FAST], { CANDLELAKE_CONFIG: configPath, CANDLELAKE_LOG_LEVEL: 'error' });
    expect(exit.code).toBe(0);
    const report = JSON.parse(exit.stdout) as { outcome: string; detectedAfterSeconds: number; events: Array<{ kind: string }> };
    expect(report.outcome).toBe('finished');
    expect(report.events.map((e) => e.kind)).toEqual(['started', 'hung', 'stopped', 'restart-scheduled', 'started', 'exited', 'finished']);
    expect(report.detectedAfterSeconds).toBeGreaterThan(1.5);
    const history = JSON.parse((await new FileObjectStore(lake).get('recovery/drills/hang/history.json'))!.body.toString()) as { failures: Array<{ kind: string }>; stoppedByRecovery: string[] };
    expect(history.failures.map((f) => f.kind)).toEqual(['hang']);
    expect(history.stoppedByRecovery).toHaveLength(1);
  });

  it('persistent failure: the third failure in 24 h escalates instead of restarting', async () => {
    const lake = await copyOfLake();
    const exit = await runCli(['--json', '--lake', `file://${lake}`, 'drill', 'persistent-failure', ...FAST], { CANDLELAKE_CONFIG: configPath, CANDLELAKE_LOG_LEVEL: 'error' });
    expect(exit.code).toBe(0);
    const report = JSON.parse(exit.stdout) as { outcome: string; attempts: number; events: Array<{ kind: string; detail: string }>; alerts: Array<{ key: string; severity: string; text: string }> };
    expect(report).toMatchObject({ outcome: 'gave-up', attempts: 3 });
    // Giving up is one CRITICAL alert in the lake, under the recovery job.
    expect(report.alerts).toEqual([{ key: 'recovery:backtest:critical', severity: 'CRITICAL', text: expect.stringMatching(/failed 3 times in 24 h/) }]);
    expect(report.events.filter((e) => e.kind === 'started')).toHaveLength(3);
    expect(report.events.at(-1)).toMatchObject({ kind: 'gave-up', detail: expect.stringMatching(/failed 3 times in 24 h.*rollback, manual/) });
  });
});

describe('SIGTERM', () => {
  it('stops taking units, exits 5 with the run recorded, and a restart resumes to the same results', async () => {
    const clean = await copyOfLake();
    expect((await runCli(['backtest-task'], env(clean))).code).toBe(0);
    const expected = await results(clean);

    const lake = await copyOfLake();
    const { startCli } = await import('../../harness/cli.ts');
    const child = startCli(['backtest-task'], { ...env(lake), CANDLELAKE_LOG_LEVEL: 'error' });
    const store = new FileObjectStore(lake);
    for (let i = 0; i < 400 && (await store.list('backtest-daily/')).length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    child.child.kill('SIGTERM');
    const exit = await child.done;
    expect(exit.code).toBe(5);
    const record = JSON.parse((await store.get('runs/job=backtest/latest.json'))!.body.toString()) as { outcome: string; summary: string };
    expect(record.outcome).toBe('running');
    expect(record.summary).toMatch(/interrupted after \d+\/8 units; a restart resumes/);
    expect((await runCli(['backtest-task'], env(lake))).code).toBe(0);
    expect(await results(lake)).toEqual(expected);
  });
});
