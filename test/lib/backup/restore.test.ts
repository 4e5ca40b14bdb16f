import { describe, expect, it } from 'vitest';
import { restoreLake, snapshotLake, SnapshotNotFoundError } from '../../../lib/backup/index.ts';
import { leaseKey } from '../../../lib/lake/keys.ts';
import { buildLake, candles, clockAt, contents, ohlcvTotals, silentLogger, storePairs } from './fixtures.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';

describe.each(storePairs)('restoreLake, $name', ({ lake: lakeBackend, backup: backupBackend }) => {
  it('after every lake object is deleted, restores byte-identical objects and identical query results', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const bytesBefore = await contents(lake);
    const totalsBefore = await ohlcvTotals(lake);
    await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });
    for (const object of await lake.list('')) {
      if (!object.key.startsWith('leases/')) await lake.delete(object.key);
    }
    expect(await ohlcvTotals(lake)).toEqual([]);

    const report = await restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'latest' });

    expect(report).toMatchObject({ snapshotId: 'snap-20261129T030000Z', dryRun: false, scope: {}, deleted: [], unchanged: 0, refused: [] });
    expect(report.restored).toHaveLength(14);
    expect(report.restored.every((o) => o.reason === 'missing')).toBe(true);
    expect(await contents(lake)).toEqual(bytesBefore); // the lease was never touched, everything else is back
    expect(await ohlcvTotals(lake)).toEqual(totalsBefore);
    expect(totalsBefore).toEqual([
      { symbol: 'BTC/USDT', timeframe: '1h', n: 30, close_sum: expect.closeTo(1_200_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-01 17:00:00' },
      { symbol: 'BTC/USDT', timeframe: '4h', n: 30, close_sum: expect.closeTo(1_230_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-05 08:00:00' },
      { symbol: 'ETH/USDT', timeframe: '1h', n: 30, close_sum: expect.closeTo(66_566.25, 6), first: '2023-12-31 12:00:00', last: '2024-01-01 17:00:00' },
    ]);
  });

  it('rewrites changed objects, deletes objects the snapshot lacks, and leaves matching ones alone', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const bytesBefore = await contents(lake);
    await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });
    // After the snapshot: a new part, a rewritten run record, a lease renewed.
    const added = await ohlcvWrite(lake, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, candles(Date.UTC(2024, 0, 3), 5, 3_600_000, 40_100));
    await lake.put('runs/job=update/latest.json', '{"outcome":"running"}');
    await lake.put(leaseKey('update'), '{"holder":"update-2"}');

    const report = await restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'snap-20261129T030000Z' });

    expect(report.restored).toEqual([{ key: 'runs/job=update/latest.json', sizeBytes: expect.any(Number), reason: 'differs' }]);
    expect(report.deleted).toEqual(added.keys);
    expect(report.unchanged).toBe(13);
    const after = await contents(lake);
    expect(after.get(leaseKey('update'))).toBe(Buffer.from('{"holder":"update-2"}').toString('base64'));
    after.delete(leaseKey('update'));
    bytesBefore.delete(leaseKey('update'));
    expect(after).toEqual(bytesBefore);
  });

  it('a dry run reports the plan and changes nothing', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });
    const parts = (await lake.list('exchange=binance/dataset=ohlcv/')).map((o) => o.key);
    await lake.delete(parts[0]!);
    await lake.put('alerts/open/extra.json', '{}');
    const before = await contents(lake);

    const report = await restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'latest', dryRun: true });

    expect(report).toMatchObject({ dryRun: true, deleted: ['alerts/open/extra.json'], unchanged: 13, refused: [] });
    expect(report.restored).toEqual([{ key: parts[0], sizeBytes: expect.any(Number), reason: 'missing' }]);
    expect(await contents(lake)).toEqual(before);
  });

  it('refuses an unknown snapshot without touching the lake', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const before = await contents(lake);
    await expect(restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'latest' })).rejects.toBeInstanceOf(SnapshotNotFoundError);
    await expect(restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'snap-nope' })).rejects.toBeInstanceOf(SnapshotNotFoundError);
    expect(await contents(lake)).toEqual(before);
  });
});
