/**
 * `candlelake rollback` through the real CLI on a versioned S3 lake (moto): a bad update (a part
 * deleted, a wrong part added, the run pointer overwritten) is undone by `--to` a time before it;
 * a dry run changes nothing; a local lake is refused with the way out named.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ohlcvListParts } from '../../../lib/lake/ohlcv-store.ts';
import { S3ObjectStore } from '../../../lib/object-store/s3.ts';
import { createTestBucket, s3ClientForTests } from '../../harness/aws.ts';
import { runCli } from '../../harness/cli.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';

let binance: BinanceStandIn;
let env: Record<string, string>;
let lake: S3ObjectStore;

beforeAll(async () => {
  binance = await startBinanceStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-rollback-cli-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 5 }, features: { enabled: false } }));
  const bucket = await createTestBucket({ prefix: 'rollback-cli', versioning: true });
  lake = new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() });
  env = {
    CANDLELAKE_LAKE: `s3://${bucket}/lake`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: binance.url,
    CANDLELAKE_CONFIG: config, CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1h', CANDLELAKE_LOG_LEVEL: 'error',
  };
  expect((await runCli(['update'], env)).code).toBe(0);
});
afterAll(async () => {
  await binance.close();
});

const snapshotOf = async () => {
  const out = new Map<string, string>();
  for (const o of await lake.list('')) if (!o.key.startsWith('leases/') && !o.key.startsWith('runs/job=rollback/')) out.set(o.key, Buffer.from((await lake.get(o.key))!.body).toString('base64'));
  return out;
};

describe('candlelake rollback', () => {
  it('undoes exactly a bad update; --dry-run changes nothing; a local lake is refused', async () => {
    const good = await snapshotOf();
    const counts = async () => (await runCli(['--json', 'query', 'SELECT symbol, count(*)::INT AS n, sum(close) AS s FROM ohlcv GROUP BY ALL ORDER BY ALL'], env)).stdout;
    const goodCounts = await counts();
    // S3 times versions to the second: the bad update starts in the next one.
    await new Promise((r) => setTimeout(r, 1_100));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1_100));

    const [part] = await ohlcvListParts(lake, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    await lake.delete(part!.key);
    await lake.put('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2099/part-20990101T0000Z-20990101T0000Z.parquet', 'not parquet');
    await lake.put('runs/job=update/latest.json', '{"bad":true}');
    expect(await counts()).not.toBe(goodCounts);

    const dry = await runCli(['--json', 'rollback', '--to', before, '--dry-run'], env);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as { restored: Array<{ key: string; reason: string }>; deleted: string[] };
    expect(plan.restored.map((r) => [r.key, r.reason]).sort()).toEqual([[part!.key, 'deleted'], ['runs/job=update/latest.json', 'overwritten']]);
    expect(plan.deleted).toEqual(['exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2099/part-20990101T0000Z-20990101T0000Z.parquet']);

    const refused = await runCli(['rollback', '--to', before], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);

    const done = await runCli(['rollback', '--to', before, '--yes'], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^put back 2 objects, deleted 1, \d+ unchanged/);
    expect(await snapshotOf()).toEqual(good);
    expect(await counts()).toBe(goodCounts);
    expect(JSON.parse(Buffer.from((await lake.get('runs/job=rollback/latest.json'))!.body).toString())).toMatchObject({ outcome: 'succeeded' });

    const local = await runCli(['--lake', `file://${await mkdtemp(join(tmpdir(), 'candlelake-local-'))}`, 'rollback', '--to', '-1h', '--yes'], env);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('rollback needs a versioned lake (S3 with versioning); for a local lake restore a snapshot');
  });
});
