import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type DeploymentParams, type JobName } from '../../../lib/cost/defaults.ts';
import { cronFieldCount, estimateMonthlyCost, formatEstimate, runsPerMonth, type CostInput } from '../../../lib/cost/estimate.ts';
import { deploymentParamsFromServerless, parseDurations, recentDurations, yamlBlock } from '../../../lib/cost/inputs.ts';
import { PRICES } from '../../../lib/cost/prices.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { openObjectStore } from '../../../lib/object-store/index.ts';
import { runCli } from '../../harness/cli.ts';

const DAILY = '30 0 * * *';
const SCHEDULES: Record<JobName, string> = {
  update: DAILY,
  validate: DAILY,
  sentiment: DAILY,
  backup: '0 3 * * 0',
  digest: DAILY,
  backtest: '30 23 * * *',
};

function input(over: Partial<CostInput> = {}): CostInput {
  return { params: DEFAULT_PARAMS, schedules: SCHEDULES, symbols: 60, timeframes: 4, backtestTimeframes: 3, backtestStrategies: 2, ...over };
}
const item = (estimate: ReturnType<typeof estimateMonthlyCost>, name: string) => {
  const found = estimate.items.find((i) => i.item === name);
  if (!found) throw new Error(`no item ${name}: ${estimate.items.map((i) => i.item).join(', ')}`);
  return found;
};

describe('schedule frequency', () => {
  it('counts runs per 730-hour month: daily 30.4, weekly 4.35, hourly 730, weekdays 21.7', () => {
    expect(runsPerMonth('30 0 * * *')).toBeCloseTo(30.4167, 4);
    expect(runsPerMonth('30 0 * * *')).toBeCloseTo(30.4, 1);
    expect(runsPerMonth('0 3 * * 0')).toBeCloseTo(4.35, 2);
    expect(runsPerMonth('0 3 * * SUN')).toBeCloseTo(4.3452, 4);
    expect(runsPerMonth('0 * * * *')).toBeCloseTo(730, 6);
    expect(runsPerMonth('*/15 * * * *')).toBeCloseTo(2920, 6);
    expect(runsPerMonth('0 9 * * 1-5')).toBeCloseTo((730 / 24) * (5 / 7), 6);
    expect(runsPerMonth('0 0 1 * *')).toBeCloseTo(1, 1);
  });

  it('reads lists, ranges and steps of a cron field', () => {
    expect(cronFieldCount('0,30', 0, 59)).toBe(2);
    expect(cronFieldCount('1-5', 0, 6)).toBe(5);
    expect(cronFieldCount('*/20', 0, 59)).toBe(3);
    expect(cronFieldCount('0,7', 0, 6)).toBe(1); // 7 is Sunday again
    expect(() => runsPerMonth('0 3 * *')).toThrow('five fields');
  });

  it('runs the real schedule table daily except the Sunday backup', async () => {
    const table = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../lib/schedule/jobs.json'), 'utf8')) as Record<string, { cron: string }>;
    expect(runsPerMonth(table.update!.cron)).toBeCloseTo(30.4167, 4);
    expect(runsPerMonth(table.backup!.cron)).toBeCloseTo(4.3452, 4);
  });
});

describe('estimateMonthlyCost', () => {
  it('prices one Lambda job from its memory and duration: 1 GB × 100 s daily', () => {
    const params: DeploymentParams = { ...DEFAULT_PARAMS, memoryMb: { ...DEFAULT_PARAMS.memoryMb, update: 1024 } };
    const estimate = estimateMonthlyCost(input({ params, durations: { update: 100 } }));
    const update = item(estimate, 'update (1024 MB)');
    // 30.416667 runs × 100 s × 1 GB = 3,041.6667 GB-s; × $0.0000166667 = $0.0506945, + 30.4 requests × $0.2/M = $0.0000061
    expect(update.quantity).toBeCloseTo(3041.6667, 3);
    expect(update.usd).toBeCloseTo(0.0507006, 6);
    expect(estimate.durationsS.update).toBe(100);
    expect(update.assumption).toContain('30.42 runs × 100.0 s × 1 GB');
  });

  it('prices the Fargate backtest per vCPU-hour and GB-hour, with a one-minute minimum', () => {
    const estimate = estimateMonthlyCost(input({ durations: { backtest: 1800 } }));
    // 2 vCPU, 4 GB, 0.5 h × 30.416667 runs = 15.2083 task-hours
    expect(item(estimate, 'backtest vCPU (2 vCPU)').quantity).toBeCloseTo(30.416667, 5);
    expect(item(estimate, 'backtest vCPU (2 vCPU)').usd).toBeCloseTo(30.416667 * 0.04048, 5); // $1.2313
    expect(item(estimate, 'backtest memory (4 GB)').usd).toBeCloseTo(60.833333 * 0.004445, 5); // $0.2704
    const short = estimateMonthlyCost(input({ durations: { backtest: 10 } }));
    expect(item(short, 'backtest vCPU (2 vCPU)').quantity).toBeCloseTo((2 * 60 * (730 / 24)) / 3600, 5);
  });

  it('prices storage, backups and alarms from the parameters', () => {
    const estimate = estimateMonthlyCost(input({ lakeBytes: 1e9, lakeObjects: 1000 }));
    expect(item(estimate, 'lake storage').usd).toBeCloseTo(0.023, 6);
    // 3 kept + 14 days / 7 = 2 deleted snapshots, each a full 1 GB copy
    expect(item(estimate, 'backup snapshots').quantity).toBeCloseTo(5, 6);
    expect(item(estimate, 'backup snapshots').usd).toBeCloseTo(0.115, 6);
    expect(item(estimate, 'alarms (13)').usd).toBeCloseTo(1.4, 6);
    expect(item(estimate, 'alerts topic key').usd).toBe(1);
    // 1 LIST + 1 PUT per series per daily update (+ 6 fixed + 1 list): 487 for 240 series
    const update240 = 240 + 6 + 241;
    expect(item(estimate, 'PUT, COPY, LIST requests').assumption).toContain(`update ${update240}/1`);
  });

  it('the default lake is 229 MB a year for 60 × 4 series, scaled by series and years', () => {
    const one = estimateMonthlyCost(input());
    expect(item(one, 'lake storage').quantity).toBeCloseTo(0.229226, 5);
    const small = estimateMonthlyCost(input({ symbols: 30, timeframes: 2, years: 2 }));
    expect(item(small, 'lake storage').quantity).toBeCloseTo(0.229226 / 2, 5);
  });

  it('totals the included items; a NAT gateway counts only when asked', () => {
    const estimate = estimateMonthlyCost(input());
    const sum = estimate.items.filter((i) => i.included).reduce((s, i) => s + i.usd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 3);
    expect(item(estimate, 'NAT gateway (not in the stack)').included).toBe(false);
    const withNat = estimateMonthlyCost(input({ natGateway: true }));
    expect(withNat.totalUsd - estimate.totalUsd).toBeGreaterThan(730 * 0.045);
    expect(formatEstimate(estimate)).toMatch(/total: \$\d+\.\d{2} per month/);
  });

  it('the free tier removes Lambda entirely at this size and never makes the total negative', () => {
    const list = estimateMonthlyCost(input());
    const free = estimateMonthlyCost(input({ freeTier: true }));
    const lambdaUsd = list.items.filter((i) => i.service === 'Lambda').reduce((s, i) => s + i.usd, 0);
    expect(item(free, 'Lambda compute').usd + item(free, 'Lambda requests').usd).toBeCloseTo(-lambdaUsd, 5);
    expect(free.totalUsd).toBeLessThan(list.totalUsd);
    expect(free.totalUsd).toBeGreaterThan(0);
  });

  it('uses the us-east-1 table by default, dated', () => {
    const estimate = estimateMonthlyCost(input());
    expect(estimate.region).toBe('us-east-1');
    expect(estimate.pricesTakenOn).toBe(PRICES['us-east-1'].takenOn);
    expect(estimate.priceNote).toContain('list prices');
  });
});

describe('inputs', () => {
  const yml = [
    'params:',
    '  default:',
    '    # a comment',
    '    updateMemory: 2048',
    "    backtestCpu: 4096",
    '    backupKeep: 5',
    '    logRetentionDays: 30',
    '  prod:',
    '    logRetentionDays: 90',
    'functions:',
    '  status:',
    '    handler: functions/status.handler',
    '    memorySize: 512',
    'resources:',
    '  Resources:',
    '    OneAlarm:',
    '      Type: AWS::CloudWatch::Alarm',
    '      Properties:',
    '        MetricName: Errors',
    '    MathAlarm:',
    '      Type: AWS::CloudWatch::Alarm',
    '      Properties:',
    '        Metrics:',
    '          - MetricStat:',
    '              MetricName: TaskCount',
    '          - MetricStat:',
    '              MetricName: BacktestHeartbeat',
    '    Key:',
    '      Type: AWS::KMS::Key',
  ].join('\n');

  it('reads params.default, the stage over it, fixed function sizes, alarms and keys', () => {
    expect(yamlBlock(yml, ['params', 'prod'])).toEqual({ logRetentionDays: '90' });
    const prod = deploymentParamsFromServerless(yml, 'prod');
    expect(prod.memoryMb.update).toBe(2048);
    expect(prod.memoryMb.validate).toBe(DEFAULT_PARAMS.memoryMb.validate);
    expect(prod.backtestCpu).toBe(4096);
    expect(prod.backupKeep).toBe(5);
    expect(prod.logRetentionDays).toBe(90);
    expect(prod.statusMemoryMb).toBe(512);
    expect(prod.alarms).toBe(2);
    expect(prod.alarmMetrics).toBe(3);
    expect(prod.kmsKeys).toBe(1);
  });

  it('reads the real serverless.yml', () => {
    const params = deploymentParamsFromServerless(readFileSync(resolve(import.meta.dirname, '../../../serverless.yml'), 'utf8'));
    expect(params.memoryMb.update).toBeGreaterThanOrEqual(128);
    expect(params.backtestCpu).toBeGreaterThanOrEqual(256);
    expect(params.alarms).toBeGreaterThanOrEqual(10);
    expect(params.alarmMetrics).toBeGreaterThanOrEqual(params.alarms);
  });

  it('parses --durations', () => {
    expect(parseDurations('update=60s,backtest=15m,validate=2.5,digest=1500ms')).toEqual({ update: 60, backtest: 900, validate: 2.5, digest: 1.5 });
    expect(() => parseDurations('trade=1s')).toThrow('--durations');
  });

  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("averages each job's finished runs over the last 7 days of run records", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cost-lake-'));
    dirs.push(dir);
    const store = openObjectStore(`file://${dir}`);
    const now = Date.parse('2026-11-29T12:00:00Z');
    const record = (job: string, id: string, startIso: string, seconds: number, outcome: 'succeeded' | 'running' = 'succeeded') => ({
      job,
      runId: id,
      trigger: 'schedule',
      startedAt: startIso,
      ...(outcome === 'running' ? {} : { endedAt: new Date(Date.parse(startIso) + seconds * 1000).toISOString() }),
      outcome,
      summary: '',
      details: {},
    });
    await writeRunRecord(store, record('update', 'update-a', '2026-11-29T00:30:00Z', 20));
    await writeRunRecord(store, record('update', 'update-b', '2026-11-25T00:30:00Z', 40));
    await writeRunRecord(store, record('update', 'update-old', '2026-11-10T00:30:00Z', 900)); // outside the window
    await writeRunRecord(store, record('validate', 'validate-r', '2026-11-29T01:00:00Z', 0, 'running'));
    const got = await recentDurations(store, now);
    expect(got.update).toEqual({ seconds: 30, runs: 2 });
    expect(got.validate).toBeUndefined();
  });
});

describe('candlelake cost', () => {
  it('prints the estimate with a total as JSON', async () => {
    const out = await runCli(['--json', 'cost', '--symbols', '10', '--timeframes', '1h,4h']);
    expect(out.code, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as { totalUsd: number; items: { usd: number; included: boolean }[]; inputs: { symbols: number; timeframes: number } };
    expect(json.inputs).toMatchObject({ symbols: 10, timeframes: 2 });
    expect(json.totalUsd).toBeGreaterThan(0);
    expect(json.totalUsd).toBeCloseTo(json.items.filter((i) => i.included).reduce((s, i) => s + i.usd, 0), 3);
  }, 60_000);

  it('prints a table and the total; a bad --durations is a usage error', async () => {
    const text = await runCli(['cost']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/total: \$\d+\.\d{2} per month/);
    expect(text.stdout).toContain('backtest vCPU');
    const bad = await runCli(['cost', '--durations', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--durations');
  }, 60_000);
});
