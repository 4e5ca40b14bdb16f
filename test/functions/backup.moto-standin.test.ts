/**
 * The backup Lambda handler in-process: lake and backup buckets on moto, environment as the stack
 * sets it. A scheduled run snapshots the lake; a damaged object fails the invocation (for the retry,
 * the dead-letter queue and the error alarm) with a CRITICAL alert waiting in the lake.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAlerts } from '../../lib/alerts/index.ts';
import { listSnapshots } from '../../lib/backup/index.ts';
import { readLatestRun } from '../../lib/lake/run-records.ts';
import { ohlcvListParts } from '../../lib/lake/ohlcv-store.ts';
import { S3ObjectStore } from '../../lib/object-store/s3.ts';
import { createTestBucket, s3ClientForTests } from '../harness/aws.ts';
import { runCli } from '../harness/cli.ts';
import { captureOutput, lambdaContext } from '../harness/lambda.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';

let binance: BinanceStandIn;
let lake: S3ObjectStore;
let backup: S3ObjectStore;
let handler: (event: unknown, context: Context) => Promise<{ runId: string; outcome: string; snapshotId?: string; integrityProblems: number }>;
let captured: ReturnType<typeof captureOutput>;
const context = lambdaContext('candlelake-dev-backup');

beforeAll(async () => {
  binance = await startBinanceStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'fn-backup-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 5 }, features: { enabled: false } }));
  const lakeBucket = await createTestBucket({ prefix: 'fn-backup-lake', versioning: true });
  const backupBucket = await createTestBucket({ prefix: 'fn-backup-bak', versioning: true });
  lake = new S3ObjectStore({ bucket: lakeBucket, prefix: '', client: s3ClientForTests() });
  backup = new S3ObjectStore({ bucket: backupBucket, prefix: '', client: s3ClientForTests() });
  const env = {
    CANDLELAKE_LAKE: `s3://${lakeBucket}/`, CANDLELAKE_BACKUP: `s3://${backupBucket}/`, CANDLELAKE_BACKUP_KEEP: '3',
    CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: binance.url, CANDLELAKE_CONFIG: config,
    CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1h,4h',
  };
  expect((await runCli(['update'], { ...env, CANDLELAKE_LOG_LEVEL: 'error' })).code).toBe(0);
  Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
  captured = captureOutput();
  const mod = await import('../../functions/backup.ts');
  handler = (event, ctx) => mod.handler(event as Parameters<typeof mod.handler>[0], ctx);
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await binance.close();
});

describe('functions/backup handler', () => {
  it('snapshots the lake on the scheduled event, integrity clean, run recorded, JobSucceeded', async () => {
    captured.clear();
    const result = await handler({ source: 'aws.events' }, context);

    expect(result).toMatchObject({ outcome: 'succeeded', integrityProblems: 0, snapshotId: expect.stringMatching(/^snap-/) });
    expect((await listSnapshots(backup)).complete.map((s) => s.id)).toEqual([result.snapshotId]);
    expect(await readLatestRun(lake, 'backup')).toMatchObject({ runId: result.runId, trigger: 'schedule', outcome: 'succeeded' });
    for (const line of captured.logLines()) expect(line['runId']).toBe(result.runId);
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'backup', JobSucceeded: 1, JobFailed: 0 })]);
  });

  it('a damaged lake object fails the invocation and leaves one CRITICAL alert pending', async () => {
    const [part] = await ohlcvListParts(lake, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '4h' });
    const body = Buffer.from((await lake.get(part!.key))!.body);
    body[Math.floor(body.length / 2)] = body[Math.floor(body.length / 2)]! ^ 0xff;
    await lake.put(part!.key, body);
    captured.clear();

    // Checked against last week's snapshot first: the run stops before it copies the damage.
    await expect(handler({}, context)).rejects.toThrow(/backup backup-\S+ failed: stopped before compaction and snapshot: 1 integrity problems/);
    expect((await listSnapshots(backup)).complete).toHaveLength(1);
    const alerts = (await openAlerts(lake)).filter((a) => a.source.job === 'backup');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'CRITICAL', text: expect.stringContaining(part!.key) });
    expect(alerts[0]!.delivery.sentMs).toBeUndefined();
    expect(captured.jobMetricLines()).toEqual([expect.objectContaining({ job: 'backup', JobSucceeded: 0, JobFailed: 1 })]);
  });
});
