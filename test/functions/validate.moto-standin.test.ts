/**
 * The validate Lambda handler in-process: environment as the stack sets it, the lake on S3 in
 * moto (filled by the real update job), metrics to moto's CloudWatch, the exchange the Binance
 * stand-in. Checks the run id on every log line, the report in the lake, the ValidateStatus
 * metric, a repair, and the outcome contract: CRITICAL answers, a job that cannot run throws.
 *
 * Everything runs on the wall clock: the handler uses the system clock, and staleness is measured
 * against the update schedule (00:30 UTC), so the lake is filled by update runs ending now, with
 * the stand-in's market time on the wall clock too; a lake updated this minute is never stale.
 */
import { captureOutput, lambdaContext } from '../harness/lambda.ts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricStatisticsCommand, type CloudWatchClient, type Datapoint } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lib/config/schema.ts';
import { ohlcvListParts } from '../../lib/lake/ohlcv-store.ts';
import { readLatestRun } from '../../lib/lake/run-records.ts';
import { createCloudWatchClient } from '../../lib/metrics/index.ts';
import { S3ObjectStore } from '../../lib/object-store/s3.ts';
import { readLatestValidateReport } from '../../lib/validate/report-store.ts';
import type { ValidateHandlerResult } from '../../functions/validate.ts';
import { createTestBucket, s3ClientForTests } from '../harness/aws.ts';
import { updateHarness } from '../harness/update-fixture.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';

const H = 3_600_000;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const TIMEFRAMES = ['1h', '4h', '1d'] as const;
const UNIVERSE: ConfigInput = {
  universe: { symbols: SYMBOLS, timeframes: [...TIMEFRAMES] },
  update: { initialLookbackDays: 3 },
  features: { enabled: false },
};
/** A namespace of this file's own: moto matches GetMetricStatistics dimensions loosely (see cloudwatch.moto.test.ts). */
const NAMESPACE = `candlelake-test-${randomUUID()}`;

let standIn: BinanceStandIn;
let store: S3ObjectStore;
let cloudwatch: CloudWatchClient;
let handler: (event: unknown, context: Context) => Promise<ValidateHandlerResult>;
let captured: ReturnType<typeof captureOutput>;

const context = lambdaContext('candlelake-dev-validate', 'req-v1');
const scheduledEvent = { version: '0', id: 'ev-1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} };

beforeAll(async () => {
  standIn = await startBinanceStandIn();
  const bucket = await createTestBucket({ prefix: 'fn-validate' });
  const lakeUrl = `s3://${bucket}/lake`;
  store = new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() });
  cloudwatch = createCloudWatchClient();

  // Three update runs, 3 h apart, the last one now: every 1h series gets three parts.
  const update = updateHarness(store, lakeUrl, standIn, Date.now() - 6 * H);
  for (let run = 0; run < 3; run += 1) {
    if (run > 0) update.clock.advance(3 * H);
    const result = await update.run({}, UNIVERSE);
    expect(result.outcome, result.summary).toBe('succeeded');
  }
  // From here on the stand-in's market time is the wall clock again, as the handler's is.
  standIn.setNow(() => Date.now());

  const config = join(await mkdtemp(join(tmpdir(), 'fn-validate-')), 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 } }));
  Object.assign(process.env, {
    CANDLELAKE_LAKE: lakeUrl,
    CANDLELAKE_CACHE_DIR: await mkdtemp(join(tmpdir(), 'fn-validate-cache-')),
    CANDLELAKE_BINANCE_URL: standIn.url,
    CANDLELAKE_SYMBOLS: SYMBOLS.join(','),
    CANDLELAKE_TIMEFRAMES: TIMEFRAMES.join(','),
    CANDLELAKE_CONFIG: config,
    CANDLELAKE_METRICS: 'cloudwatch',
    CANDLELAKE_METRICS_NAMESPACE: NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  captured = captureOutput();
  // Imported after the environment is set: the handler builds its clients at module scope.
  const mod = await import('../../functions/validate.ts');
  handler = (event, ctx) => mod.handler(event as Parameters<typeof mod.handler>[0], ctx);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await standIn.close();
});

function logLines(): Array<Record<string, unknown>> {
  return captured.logLines();
}

/** ValidateStatus over the last and next hour, in this file's namespace: one datapoint for the whole window. */
async function validateStatus(): Promise<Datapoint | undefined> {
  const response = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: NAMESPACE,
      MetricName: 'ValidateStatus',
      Dimensions: [{ Name: 'exchange', Value: 'binance' }],
      StartTime: new Date(Date.now() - H),
      EndTime: new Date(Date.now() + H),
      Period: 86_400,
      Statistics: ['SampleCount', 'Maximum', 'Minimum'],
    }),
  );
  const datapoints = response.Datapoints ?? [];
  expect(datapoints.length).toBeLessThanOrEqual(1);
  return datapoints[0];
}

// The cases share one lake (the handler's clients are built once, for one lake) and run in order.
describe('functions/validate handler', () => {
  it('validates a freshly updated lake on the scheduled event: OK, run id on every log line, report stored, ValidateStatus 0 published', async () => {
    captured.clear();

    const result = await handler(scheduledEvent, context);

    expect(result).toEqual({ runId: expect.stringMatching(/^validate-/), status: 'OK', findings: 0, staleSeries: 0, repaired: 0 });
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line['runId']).toBe(result.runId);
      expect(line['function_request_id']).toBe('req-v1');
    }
    expect(lines.some((l) => l['message'] === 'validate OK')).toBe(true);
    const report = await readLatestValidateReport(store);
    expect(report).toMatchObject({ runId: result.runId, status: 'OK', findings: [], counts: { series: SYMBOLS.length * TIMEFRAMES.length, staleSeries: 0 } });
    expect(await readLatestRun(store, 'validate')).toMatchObject({ runId: result.runId, trigger: 'schedule', outcome: 'succeeded' });
    expect(await validateStatus()).toMatchObject({ SampleCount: 1, Maximum: 0, Minimum: 0 });
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'validate', JobSucceeded: 1, JobFailed: 0 })]);
  });

  it('re-fetches the candles of a part deleted from the middle of a series and reports the repair', async () => {
    // Arrange: the middle update run's ETH/USDT 1h part (its three candles) is gone.
    const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const middle = parts.at(-2)!;
    await store.delete(middle.key);
    captured.clear();

    // Act
    const result = await handler({ source: 'aws.events' }, context);

    // Assert
    expect(result).toMatchObject({ status: 'OK', staleSeries: 0, findings: 1 });
    expect(result.repaired).toBe((middle.lastOpenTimeMs - middle.firstOpenTimeMs) / H + 1);
    const report = await readLatestValidateReport(store);
    expect(report?.runId).toBe(result.runId);
    expect(report?.findings.map((f) => [f.kind, f.severity, f.symbol, f.timeframe])).toEqual([['repaired', 'INFO', 'ETH/USDT', '1h']]);
    expect(report?.repairs).toMatchObject({ candlesWritten: result.repaired, notRepaired: 0 });
    const after = await ohlcvListParts(store, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    expect(after.some((p) => p.firstOpenTimeMs <= middle.firstOpenTimeMs && p.lastOpenTimeMs >= middle.lastOpenTimeMs)).toBe(true);
    for (const line of logLines()) expect(line['runId']).toBe(result.runId);
    expect(await validateStatus()).toMatchObject({ SampleCount: 2, Maximum: 0 });
  });

  it('a CRITICAL validation answers normally (the metric carries it to the alarm) and publishes ValidateStatus 2', async () => {
    // Arrange: a whole series gone from the lake — missing-series is CRITICAL; the exchange cannot repair it.
    const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '4h' as const };
    for (const part of await ohlcvListParts(store, series)) await store.delete(part.key);
    captured.clear();

    const result = await handler({}, context);

    expect(result).toMatchObject({ status: 'CRITICAL', repaired: 0 });
    expect(result.findings).toBeGreaterThan(0);
    expect(await readLatestRun(store, 'validate')).toMatchObject({ runId: result.runId, trigger: 'invoke', outcome: 'failed' });
    expect(await validateStatus()).toMatchObject({ SampleCount: 3, Maximum: 2 });
    // The finding is an open alert in the lake, left pending (no Telegram here) for the digest or notifier.
    const { openAlerts } = await import('../../lib/alerts/index.ts');
    const open = (await openAlerts(store)).filter((a) => a.key === 'validate:missing-series:binance:BTC/USDT:4h');
    expect(open).toEqual([expect.objectContaining({ severity: 'CRITICAL', state: 'open', source: { job: 'validate', runId: result.runId } })]);
    expect(open[0]!.delivery.sentMs).toBeUndefined();
    // The job did its work (finding problems is its work): JobSucceeded, not JobFailed.
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'validate', JobSucceeded: 1, JobFailed: 0 })]);
  });

  it('a job that cannot run fails the invocation', async () => {
    // Every S3 call is refused (a broken role, say): runValidate throws before it can report anything.
    const send = vi.spyOn(S3Client.prototype, 'send').mockImplementation((async () => {
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    }) as never);
    captured.clear();
    try {
      await expect(handler({ source: 'aws.events' }, context)).rejects.toThrow(/Access Denied/);
    } finally {
      send.mockRestore();
    }
    expect(await validateStatus()).toMatchObject({ SampleCount: 3 });
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'validate', JobSucceeded: 0, JobFailed: 1 })]);
  });

  it('rejects a manual event with a "repair" that is not a boolean', async () => {
    await expect(handler({ repair: 'no' }, context)).rejects.toThrow('invalid "repair" in event: "no"');
  });
});
