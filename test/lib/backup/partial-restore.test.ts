import { describe, expect, it } from 'vitest';
import { restoreLake, snapshotLake } from '../../../lib/backup/index.ts';
import type { RestoreScope } from '../../../lib/backup/index.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { buildLake, candles, clockAt, contents, silentLogger, storePairs } from './fixtures.ts';

/** Deletes every object, then puts back junk in place of each object: a lake wholly out of line with the snapshot. */
async function wreck(lake: ObjectStore): Promise<void> {
  for (const object of await lake.list('')) {
    if (object.key.startsWith('leases/')) continue;
    if (object.key.includes('timeframe=1h')) await lake.delete(object.key);
    else await lake.put(object.key, 'junk');
  }
  // A part the snapshot never had, in each series.
  for (const [symbol, timeframe] of [['BTC/USDT', '1h'], ['BTC/USDT', '4h'], ['ETH/USDT', '1h']] as const) {
    await ohlcvWrite(lake, { exchange: 'binance', symbol, timeframe }, candles(Date.UTC(2024, 5, 1), 2, 14_400_000, 100));
  }
}

const cases: Array<{ scope: RestoreScope; matches: (key: string) => boolean }> = [
  { scope: { symbol: 'BTC/USDT' }, matches: (k) => k.includes('/symbol=BTC-USDT/') },
  { scope: { timeframe: '4h' }, matches: (k) => k.includes('/timeframe=4h/') },
  { scope: { dataset: 'markets' }, matches: (k) => k.includes('/dataset=markets/') },
  { scope: { dataset: 'ohlcv', symbol: 'ETH-USDT', timeframe: '1h' }, matches: (k) => k.includes('/timeframe=1h/symbol=ETH-USDT/') },
];

// Crossed pairs only (file lake → S3 backup, S3 lake → file backup): every backend is covered
// with half the moto traffic of the full matrix, this being the heaviest file.
const crossed = storePairs.filter((p) => p.lake.name.startsWith('file') !== p.backup.name.startsWith('file'));

describe.each(crossed)('partial restore, $name', ({ lake: lakeBackend, backup: backupBackend }) => {
  it.each(cases)('restoring $scope touches nothing outside it', async ({ scope, matches }) => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const snapshotBytes = await contents(lake);
    await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });
    await wreck(lake);
    const wrecked = await contents(lake);

    const report = await restoreLake({ lake, backup, logger: silentLogger }, { snapshot: 'latest', ...scope });

    const after = await contents(lake);
    for (const key of new Set([...after.keys(), ...wrecked.keys(), ...snapshotBytes.keys()])) {
      if (matches(key)) expect(after.get(key), key).toBe(snapshotBytes.get(key));
      else expect(after.get(key), key).toBe(wrecked.get(key));
    }
    expect(report.scope).toEqual(scope);
    expect(report.restored.length).toBeGreaterThan(0);
    expect(report.restored.every((o) => matches(o.key))).toBe(true);
    expect(report.deleted.every((k) => matches(k))).toBe(true);
    expect(report.deleted.length).toBe(scope.dataset === 'markets' ? 0 : scope.symbol === 'BTC/USDT' ? 2 : 1);
  });
});
