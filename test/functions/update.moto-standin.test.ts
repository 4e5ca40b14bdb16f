/**
 * The update Lambda handler in-process: environment as the stack sets it, the lake on S3 in
 * moto, the exchange the Binance stand-in. Checks the run id on every log line and that a failed
 * job fails the invocation.
 */
import { captureOutput, lambdaContext } from '../harness/lambda.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readLatestRun } from '../../lib/lake/run-records.ts';
import { S3ObjectStore } from '../../lib/object-store/s3.ts';
import { createTestBucket, s3ClientForTests } from '../harness/aws.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';
import { startTelegramStandIn } from '../stand-ins/telegram/index.ts';
import { TELEGRAM_TEST_TOKEN } from '../harness/test-secrets.ts';

const TOKEN = TELEGRAM_TEST_TOKEN;

let standIn: BinanceStandIn;
let bucket: string;
let handler: (event: unknown, context: Context) => Promise<{ runId: string; outcome: string; candlesWritten: number }>;
let captured: ReturnType<typeof captureOutput>;

const context = lambdaContext('candlelake-dev-update');

beforeAll(async () => {
  standIn = await startBinanceStandIn();
  bucket = await createTestBucket({ prefix: 'fn-update' });
  const config = join(await mkdtemp(join(tmpdir(), 'fn-')), 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 3 } }));
  Object.assign(process.env, {
    CANDLELAKE_LAKE: `s3://${bucket}/lake`,
    CANDLELAKE_BINANCE_URL: standIn.url,
    CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT',
    CANDLELAKE_TIMEFRAMES: '1h,1d',
    CANDLELAKE_CONFIG: config,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    // What Lambda sets for an ordinary (not provisioned) container; Powertools counts cold starts only then.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
  captured = captureOutput();
  // Imported after the environment is set: the handler builds its clients at module scope.
  const mod = await import('../../functions/update.ts');
  handler = (event, ctx) => mod.handler(event as Parameters<typeof mod.handler>[0], ctx);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await standIn.close();
});

function logLines(): Array<Record<string, unknown>> {
  return captured.logLines();
}

/** The job-outcome metrics of the last invocation. */
function jobMetricLine(): Record<string, unknown> {
  const lines = captured.jobMetricLines();
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('functions/update handler', () => {
  it('runs the job on the scheduled event, logs the run id on every line, and records the run', async () => {
    captured.clear();
    const result = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context);
    expect(result.outcome).toBe('succeeded');
    expect(result.candlesWritten).toBeGreaterThan(2 * 3 * 24);
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line['runId']).toBe(result.runId);
      expect(line['function_request_id']).toBe('req-1');
    }
    const store = new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() });
    expect(await readLatestRun(store, 'update')).toMatchObject({ runId: result.runId, trigger: 'schedule', outcome: 'succeeded' });
    const metrics = jobMetricLine();
    expect(metrics).toMatchObject({ job: 'update', service: 'candlelake-update', JobSucceeded: 1, JobFailed: 0 });
    expect(metrics['JobDuration']).toBeGreaterThan(0);
    // The run's exchange weight, on a line of its own: what the job spent, and the IP's peak the
    // stand-in reported in x-mbx-used-weight-1m (never below what this client alone spent in a minute).
    const weight = captured.jsonLines().filter((l) => 'ExchangeWeightUsed' in l);
    expect(weight).toEqual([expect.objectContaining({ job: 'update', service: 'candlelake-update' })]);
    const { ExchangeWeightUsed: used, ExchangePeakIpWeight1m: peak } = weight[0] as { ExchangeWeightUsed: number; ExchangePeakIpWeight1m: number };
    const run = await readLatestRun(store, 'update');
    expect(used).toBe((run?.details as { weight: { weightUsed: number } }).weight.weightUsed);
    expect(used).toBeGreaterThan(0);
    expect(peak).toBeGreaterThan(0);
    // The first invocation of the container counts a cold start (its own line, by function name).
    expect(captured.jsonLines().filter((l) => l['ColdStart'] === 1).map((l) => l['function_name'])).toEqual(['candlelake-dev-update']);
  });

  it('a failed job fails the invocation (so retries and alarms see it)', async () => {
    captured.clear();
    const fault = standIn.faults.add({ when: { path: '/api/v3/exchangeInfo' }, action: { type: 'status', status: 451 } });
    try {
      await expect(handler({ source: 'aws.events' }, context)).rejects.toThrow(/update update-\S+ failed: .*HTTP 451/);
    } finally {
      fault.remove();
    }
    expect(jobMetricLine()).toMatchObject({ job: 'update', JobSucceeded: 0, JobFailed: 1 });
    const critical = logLines().filter((l) => l['level'] === 'ERROR');
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatchObject({ severity: 'CRITICAL', key: 'update:region-blocked' });
    // The CRITICAL is an open alert in the lake, pending for the digest and the notifier.
    const { openAlerts } = await import('../../lib/alerts/index.ts');
    const store = new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() });
    expect((await openAlerts(store)).map((a) => [a.key, a.severity, a.delivery.sentMs])).toEqual([['update:region-blocked', 'CRITICAL', undefined]]);
    const runIds = new Set(logLines().map((l) => l['runId']));
    expect(runIds.size).toBe(1);
    expect([...runIds][0]).toMatch(/^update-/);
  });

  it('with Telegram configured, the CRITICAL goes out at once: one message, marked sent, no token in any output', async () => {
    const telegram = await startTelegramStandIn({ token: TOKEN });
    Object.assign(process.env, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-1001234', TELEGRAM_API_URL: telegram.url });
    captured.clear();
    const fault = standIn.faults.add({ when: { path: '/api/v3/exchangeInfo' }, action: { type: 'status', status: 451 } });
    try {
      await expect(handler({ source: 'aws.events' }, context)).rejects.toThrow(/HTTP 451/);
    } finally {
      fault.remove();
      for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID', 'TELEGRAM_API_URL']) delete process.env[name];
      await telegram.close();
    }
    // Still open from the previous case: the same problem is one alert, counted, sent once now.
    expect(telegram.messages.map((m) => [m.chatId, m.text.split('\n')[0]])).toEqual([['-1001234', '🔴 CRITICAL']]);
    expect(telegram.messages[0]!.text).toContain('update:region-blocked');
    const { openAlerts } = await import('../../lib/alerts/index.ts');
    const store = new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() });
    const [alert] = await openAlerts(store);
    expect(alert).toMatchObject({ key: 'update:region-blocked', count: 2 });
    expect(alert!.delivery.sentMs).toBeGreaterThan(0);
    expect(captured.chunks.join('')).not.toContain(TOKEN.split(':')[1]);
  });
});
