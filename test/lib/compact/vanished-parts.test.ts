/**
 * Readers that listed parts before a compaction swap find some deleted when they download them:
 * ohlcvReadSeries and the local mirror (DuckDB views of an S3 lake) list again and read the
 * compact part, instead of silently returning fewer candles; they give up after a bounded number of tries.
 */
import { describe, expect, it } from 'vitest';
import { compactLake } from '../../../lib/compact/index.ts';
import { mirrorLake } from '../../../lib/lake/local-mirror.ts';
import { ohlcvListParts, ohlcvReadSeries, PartsVanishedError } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, cacheDir, compactionDeps, writeDailyLake } from './lake-fixture.ts';

/** The store, except that the first download runs `beforeFirstDownload` (a compaction) first. */
function racingStore(store: ObjectStore, beforeFirstDownload: () => Promise<unknown>): ObjectStore & { downloads: number } {
  let pending: Promise<unknown> | undefined;
  const racing = {
    url: `${store.url}#racing`,
    downloads: 0,
    get: store.get.bind(store), put: store.put.bind(store), list: store.list.bind(store),
    delete: store.delete.bind(store), head: store.head.bind(store),
    async download(key: string, path: string) {
      racing.downloads += 1;
      pending ??= beforeFirstDownload();
      await pending;
      return store.download(key, path);
    },
  };
  return racing;
}

describe.each(lakeBackends)('reads racing a compaction on a $name', (backend) => {
  it('ohlcvReadSeries re-lists when a listed part is gone and returns every candle', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    const listedBefore = await ohlcvListParts(store, BTC);
    expect(listedBefore).toHaveLength(5);
    const racing = racingStore(store, () => compactLake(compactionDeps(store), { datasets: ['ohlcv'] }));

    const read = await ohlcvReadSeries(racing, BTC, listedBefore);

    expect(Array.from(read.openTimeMs)).toEqual(lake.btc.map((c) => c.openTimeMs));
    expect(racing.downloads).toBe(5 + 2); // five listed parts tried, then the two compact parts
  });

  it('the local mirror behind the views lists again and the ohlcv view counts every candle once', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    const racing = racingStore(store, () => compactLake(compactionDeps(store), { datasets: ['ohlcv'] }));
    const dir = await cacheDir();

    const mirror = await mirrorLake(racing, dir, ['exchange=']);
    expect(mirror.downloaded).toBe(3);
    const query = await openLakeQuery(racing, dir);
    try {
      const rows = await query.rows('SELECT symbol, count(*)::INTEGER AS n, count(DISTINCT open_time)::INTEGER AS d FROM ohlcv GROUP BY 1 ORDER BY 1');
      expect(rows).toEqual([{ symbol: 'BTC/USDT', n: lake.btc.length, d: lake.btc.length }, { symbol: 'ETH/USDT', n: lake.eth.length, d: lake.eth.length }]);
    } finally {
      query.close();
    }
  });

  it('gives up loudly when parts keep vanishing', async () => {
    const { store } = await backend.open();
    await writeDailyLake(store);
    const vanishing: ObjectStore = { ...racingStore(store, async () => undefined), download: async () => false };

    await expect(ohlcvReadSeries(vanishing, BTC)).rejects.toBeInstanceOf(PartsVanishedError);
    await expect(mirrorLake(vanishing, await cacheDir(), ['exchange='])).rejects.toThrow(/vanished while mirroring the lake, 3 attempts/);
  });
});
