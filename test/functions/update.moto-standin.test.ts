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
  return captured.jsonLines();
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
  });

  it('a failed job fails the invocation (so retries and alarms see it)', async () => {
    captured.clear();
    const fault = standIn.faults.add({ when: { path: '/api/v3/exchangeInfo' }, action: { type: 'status', status: 451 } });
    try {
      await expect(handler({ source: 'aws.events' }, context)).rejects.toThrow(/update update-\S+ failed: .*HTTP 451/);
    } finally {
      fault.remove();
    }
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
});
