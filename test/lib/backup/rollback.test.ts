/**
 * `rollbackLake` over a versioned S3 lake on moto (its `--to` parsing: test/lib/cli/time-flag.test.ts). The timeline is real:
 * S3 records `lastModified` to the second, so the test waits for the next whole second between
 * the good lake and the bad update, and rolls back to a time in between.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { rollbackLake, RollbackError } from '../../../lib/backup/index.ts';
import { systemClock, fixedClock } from '../../../lib/clock/index.ts';
import { leaseKey } from '../../../lib/lake/keys.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore, S3ObjectStore } from '../../../lib/object-store/index.ts';
import { createTestBucket, s3ClientForTests } from '../../harness/aws.ts';
import { buildLake, candles, contents, ohlcvTotals, silentLogger } from './fixtures.ts';

const H = 3_600_000;
const NOW = Date.parse('2026-11-29T22:00:00Z');

describe('rollbackLake refusals', () => {
  it('refuses a local lake (no versions) and changes nothing', async () => {
    const lake = new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-rollback-')));
    await lake.put('runs/job=update/latest.json', '{}');
    const attempt = rollbackLake({ lake, logger: silentLogger, clock: systemClock }, { toMs: Date.now() - H });
    await expect(attempt).rejects.toBeInstanceOf(RollbackError);
    await expect(rollbackLake({ lake, logger: silentLogger, clock: systemClock }, { toMs: Date.now() - H })).rejects.toMatchObject({
      reason: 'not-versioned',
      message: expect.stringContaining('rollback needs a versioned lake (S3 with versioning); for a local lake restore a snapshot'),
    });
    expect([...(await contents(lake)).keys()]).toEqual(['runs/job=update/latest.json']);
  });

  describe('on S3 (moto)', () => {
    let s3: S3Client;
    let versioned: string;
    beforeAll(async () => {
      s3 = s3ClientForTests();
      versioned = await createTestBucket({ prefix: 'rollback', client: s3, versioning: true });
    });

    it('refuses a bucket without versioning', async () => {
      const lake = new S3ObjectStore({ bucket: await createTestBucket({ prefix: 'rollback-plain', client: s3 }), prefix: 'lake', client: s3 });
      await lake.put('runs/job=update/latest.json', '{}');
      await expect(rollbackLake({ lake, logger: silentLogger, clock: systemClock }, { toMs: Date.now() })).rejects.toMatchObject({
        name: 'RollbackError',
        reason: 'not-versioned',
        message: expect.stringContaining('rollback needs a versioned lake (S3 with versioning)'),
      });
    });

    it('refuses a time in the future', async () => {
      const lake = new S3ObjectStore({ bucket: versioned, prefix: `lake-${randomUUID().slice(0, 8)}`, client: s3 });
      const clock = fixedClock(NOW);
      await expect(rollbackLake({ lake, logger: silentLogger, clock }, { toMs: NOW + 60_000 })).rejects.toMatchObject({
        reason: 'future',
        message: 'cannot roll back to 2026-11-29T22:01:00.000Z: it is in the future (now is 2026-11-29T22:00:00.000Z)',
      });
    });

    it('refuses a time older than the oldest version kept, or than the history kept, saying how far back it can go', async () => {
      const lake = new S3ObjectStore({ bucket: versioned, prefix: `lake-${randomUUID().slice(0, 8)}`, client: s3 });
      await lake.put('runs/job=update/latest.json', '{}');
      const [only] = await lake.listVersions('');
      const oldestMs = only!.lastModified.getTime();
      const clock = fixedClock(oldestMs + 2 * H);
      const deps = { lake, logger: silentLogger, clock };

      await expect(rollbackLake(deps, { toMs: oldestMs - 5_000 })).rejects.toMatchObject({
        reason: 'too-old',
        message: `cannot roll back to ${new Date(oldestMs - 5_000).toISOString()}: the lake can go back to ${new Date(oldestMs).toISOString()} at the earliest (2h ago; the oldest version the lake keeps was written at ${new Date(oldestMs).toISOString()})`,
      });
      await expect(rollbackLake(deps, { toMs: oldestMs + 10 * 60_000, historyMs: H })).rejects.toMatchObject({
        reason: 'too-old',
        message: `cannot roll back to ${new Date(oldestMs + 10 * 60_000).toISOString()}: the lake can go back to ${new Date(oldestMs + H).toISOString()} at the earliest (1h ago; non-current versions are kept 1h, so older states may be incomplete)`,
      });
      // At the oldest version itself it is allowed (and there is nothing to do).
      expect(await rollbackLake(deps, { toMs: oldestMs })).toMatchObject({ restored: [], deleted: [], unchanged: 1, conflicts: [] });
    });
  });
});

/** Waits until the next whole second has begun (plus a margin) and returns the last ms before it. */
async function nextSecond(): Promise<number> {
  const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await new Promise((resolve) => setTimeout(resolve, boundary + 50 - Date.now()));
  return boundary - 1;
}

function withoutLeases(map: Map<string, string>): Map<string, string> {
  return new Map([...map].filter(([key]) => !key.startsWith('leases/')));
}

describe('rollbackLake on a versioned S3 lake (moto)', () => {
  it('undoes a bad update exactly: same keys, same bytes, same query results; a dry run changes nothing', async () => {
    const s3 = s3ClientForTests();
    const bucket = await createTestBucket({ prefix: 'rollback-lake', client: s3, versioning: true });
    const lake = new S3ObjectStore({ bucket, prefix: 'lake', client: s3 });
    const deps = { lake, logger: silentLogger, clock: systemClock };

    // The good lake: OHLCV parts, markets, run records, an alert, task state, a lease; plus an
    // object that was written and deleted before the rollback time.
    await lake.put('alerts/open/stale.json', '{"stale":true}');
    await nextSecond(); // S3 times are to the second: keep the put and the delete apart
    await buildLake(lake);
    await lake.delete('alerts/open/stale.json');
    const good = await contents(lake);
    const goodTotals = await ohlcvTotals(lake);
    const toMs = await nextSecond();

    // The bad update: new parts, a run record (latest.json overwritten), a part deleted, the
    // deleted alert back, an object written and deleted again, and the lease renewed.
    const btc = await ohlcvWrite(lake, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, candles(Date.UTC(2024, 0, 3), 6, H, 1));
    const eth = await ohlcvWrite(lake, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' }, candles(Date.UTC(2024, 0, 5), 4, H, 99_999));
    await writeRunRecord(lake, {
      job: 'update', runId: 'update-20240103T003000Z-bad999', trigger: 'schedule', startedAt: '2024-01-03T00:30:00.000Z',
      endedAt: '2024-01-03T00:31:00.000Z', outcome: 'succeeded', summary: 'bad', details: { series: 2 },
    });
    const ethParts = [...good.keys()].filter((k) => k.includes('dataset=ohlcv') && k.includes('ETH-USDT'));
    const deletedPart = ethParts[0]!;
    await lake.delete(deletedPart);
    await lake.put('alerts/open/stale.json', '{"stale":"again"}');
    await lake.put('tmp/scratch.json', '{}');
    await lake.delete('tmp/scratch.json');
    await lake.put(leaseKey('update'), '{"holder":"update-2"}');
    const bad = await contents(lake);
    const badTotals = await ohlcvTotals(lake);
    const badMs = await nextSecond();
    expect(badTotals).not.toEqual(goodTotals);
    const newRunKey = [...bad.keys()].find((k) => k.startsWith('runs/') && k.includes('bad999'))!;
    expect(newRunKey).toBeDefined();

    // Every version of the good lake is at or before toMs, every one of the bad update after it.
    const versions = await lake.listVersions('');
    const goodVersions = versions.filter((v) => v.lastModified.getTime() <= toMs);
    expect(goodVersions.length).toBeGreaterThanOrEqual(good.size);

    const expectedRestored = [
      { key: deletedPart, versionId: expect.any(String), sizeBytes: Buffer.from(good.get(deletedPart)!, 'base64').length, reason: 'deleted' },
      { key: 'runs/job=update/latest.json', versionId: expect.any(String), sizeBytes: Buffer.from(good.get('runs/job=update/latest.json')!, 'base64').length, reason: 'overwritten' },
    ].sort((a, b) => (a.key < b.key ? -1 : 1));
    const expectedDeleted = ['alerts/open/stale.json', ...btc.keys, ...eth.keys, newRunKey].sort();
    const unchanged = good.size - 1 /* lease */ - 2 /* restored */;

    const plan = await rollbackLake(deps, { toMs, dryRun: true });
    expect(plan).toEqual({
      toIso: new Date(toMs).toISOString(),
      earliestIso: expect.any(String),
      dryRun: true,
      restored: expectedRestored,
      deleted: expectedDeleted,
      unchanged,
      conflicts: [],
      seconds: expect.any(Number),
    });
    expect(await contents(lake)).toEqual(bad);
    expect((await lake.listVersions('')).length).toBe(versions.length);

    const report = await rollbackLake(deps, { toMs });

    expect(report).toEqual({ ...plan, dryRun: false, seconds: expect.any(Number) });
    // The restored objects are the versions that were current at toMs.
    for (const restored of report.restored) {
      const then = goodVersions.find((v) => v.key === restored.key && v.isLatest === false && v.versionId === restored.versionId);
      expect(then).toBeDefined();
    }
    const after = await contents(lake);
    expect(withoutLeases(after)).toEqual(withoutLeases(good));
    expect(after.get(leaseKey('update'))).toBe(Buffer.from('{"holder":"update-2"}').toString('base64')); // leases are left alone
    expect(await ohlcvTotals(lake)).toEqual(goodTotals);
    expect(goodTotals).toEqual([
      { symbol: 'BTC/USDT', timeframe: '1h', n: 30, close_sum: expect.closeTo(1_200_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-01 17:00:00' },
      { symbol: 'BTC/USDT', timeframe: '4h', n: 30, close_sum: expect.closeTo(1_230_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-05 08:00:00' },
      { symbol: 'ETH/USDT', timeframe: '1h', n: 30, close_sum: expect.closeTo(66_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-01 17:00:00' },
    ]);

    // Run again: the lake is already as it was at toMs (re-put bytes count as unchanged).
    const again = await rollbackLake(deps, { toMs });
    expect(again).toMatchObject({ restored: [], deleted: [], unchanged: good.size - 1, conflicts: [] });

    // History is kept: rolling forward to a time after the bad update brings it back.
    const forward = await rollbackLake(deps, { toMs: badMs });
    expect(forward.deleted).toEqual([deletedPart]);
    expect(forward.restored.map((r) => r.key)).toEqual(
      [...expectedDeleted, 'runs/job=update/latest.json'].sort(),
    );
    expect(await contents(lake)).toEqual(bad);
    expect(await ohlcvTotals(lake)).toEqual(badTotals);
  });

  it('limits itself to a prefix', async () => {
    const s3 = s3ClientForTests();
    const lake = new S3ObjectStore({ bucket: await createTestBucket({ prefix: 'rollback-prefix', client: s3, versioning: true }), prefix: 'lake', client: s3 });
    await lake.put('runs/job=update/latest.json', '"good run"');
    await lake.put('state/x.json', '"good state"');
    const toMs = await nextSecond();
    await lake.put('runs/job=update/latest.json', '"bad run"');
    await lake.put('state/x.json', '"bad state"');
    await lake.put('runs/job=update/extra.json', '"extra"');

    const report = await rollbackLake({ lake, logger: silentLogger, clock: systemClock }, { toMs, prefix: 'runs/' });

    expect(report).toMatchObject({ restored: [{ key: 'runs/job=update/latest.json', reason: 'overwritten' }], deleted: ['runs/job=update/extra.json'], unchanged: 0 });
    expect(Object.fromEntries([...(await contents(lake))].map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))).toEqual({
      'runs/job=update/latest.json': '"good run"',
      'state/x.json': '"bad state"',
    });
  });
});
