/**
 * The sentiment Lambda handler in-process: lake on moto S3, the FRED key in moto's SSM Parameter
 * Store (as on AWS), the three stand-ins on loopback. The key reaches FRED and no log line.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readLatestRun } from '../../lib/lake/run-records.ts';
import { sentimentRead } from '../../lib/lake/sentiment-store.ts';
import { S3ObjectStore } from '../../lib/object-store/s3.ts';
import { createTestBucket, s3ClientForTests, useAwsEndpoint } from '../harness/aws.ts';
import { captureOutput, lambdaContext } from '../harness/lambda.ts';
import { startAlternativeMeStandIn } from '../stand-ins/alternative-me/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';
import { startFredStandIn } from '../stand-ins/fred/index.ts';
import { FRED_LAMBDA_KEY } from '../harness/test-secrets.ts';

const FRED_KEY = FRED_LAMBDA_KEY;
let binance: BinanceStandIn;
let fearGreed: Awaited<ReturnType<typeof startAlternativeMeStandIn>>;
let fred: Awaited<ReturnType<typeof startFredStandIn>>;
let lake: S3ObjectStore;
let handler: (event: unknown, context: Context) => Promise<{ runId: string; outcome: string; summary: string }>;
let captured: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  useAwsEndpoint();
  [binance, fearGreed, fred] = await Promise.all([startBinanceStandIn(), startAlternativeMeStandIn(), startFredStandIn({ apiKey: FRED_KEY })]);
  const parameter = `/candlelake/test-${randomUUID().slice(0, 8)}/fred-api-key`;
  await new SSMClient({}).send(new PutParameterCommand({ Name: parameter, Value: FRED_KEY, Type: 'SecureString' }));
  const bucket = await createTestBucket({ prefix: 'fn-sentiment' });
  lake = new S3ObjectStore({ bucket, prefix: '', client: s3ClientForTests() });
  Object.assign(process.env, {
    CANDLELAKE_LAKE: `s3://${bucket}/`, CANDLELAKE_CACHE_DIR: await mkdtemp(join(tmpdir(), 'fn-sentiment-')),
    CANDLELAKE_BINANCE_URL: binance.url, CANDLELAKE_SYMBOLS: 'BTC/USDT,LUNA/USDT',
    CANDLELAKE_FEAR_GREED_URL: fearGreed.url, CANDLELAKE_FRED_URL: fred.url, CANDLELAKE_FRED_SERIES: 'DGS10',
    FRED_API_KEY_PARAMETER: parameter, POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  delete process.env['FRED_API_KEY'];
  captured = captureOutput();
  const mod = await import('../../functions/sentiment.ts');
  handler = (event, ctx) => mod.handler(event as Parameters<typeof mod.handler>[0], ctx);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([binance.close(), fearGreed.close(), fred.close()]);
});

describe('functions/sentiment handler', () => {
  it('stores every source with the FRED key from SSM; the key is in no log line', async () => {
    captured.clear();
    const result = await handler({ source: 'aws.events' }, lambdaContext('candlelake-dev-sentiment'));

    expect(result.outcome).toBe('succeeded');
    expect(result.summary).toContain('no perpetual: LUNA/USDT');
    expect((await sentimentRead(lake, { dataset: 'macro', series: 'DGS10' })).length).toBeGreaterThan(100);
    expect((await sentimentRead(lake, { dataset: 'fear_greed' })).length).toBeGreaterThan(2000);
    expect(await readLatestRun(lake, 'sentiment')).toMatchObject({ runId: result.runId, trigger: 'schedule', outcome: 'succeeded' });
    expect(fred.requests.filter((r) => r.status === 200).every((r) => r.query['api_key'] === FRED_KEY)).toBe(true);
    expect(fred.requests.length).toBeGreaterThan(0);
    expect(captured.chunks.join('')).not.toContain(FRED_KEY);
    for (const line of captured.logLines()) expect(line['runId']).toBe(result.runId);
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'sentiment', JobSucceeded: 1, JobFailed: 0 })]);
  });
});
