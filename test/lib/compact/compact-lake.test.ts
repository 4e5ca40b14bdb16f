/**
 * compactLake over both lake backends (a folder, S3 on moto): every (series, year) partition
 * with several parts becomes one compact part holding every candle once, with the writer's
 * exact decimal types; single-part partitions are skipped; the report counts it all.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactLake } from '../../../lib/compact/index.ts';
import { withConnection, sqlString } from '../../../lib/lake/duckdb.ts';
import { ohlcvListParts, ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { withTempDir } from '../../../lib/lake/temp-dir.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, cacheDir, compactionDeps, ETH, expectEveryCandleOnce, hourlyCandles, seriesKeys, writeDailyLake } from './lake-fixture.ts';

async function columnTypes(store: ObjectStore, key: string): Promise<string[]> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'x.parquet');
    expect(await store.download(key, path)).toBe(true);
    return withConnection(async (c) => (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRows().map((r) => `${String(r[0])} ${String(r[1])}`));
  });
}

async function featureRows(store: ObjectStore): Promise<unknown[]> {
  const query = await openLakeQuery(store, await cacheDir());
  try {
    return await query.rows("SELECT epoch_ms(open_time)::DOUBLE AS t, sma_3 FROM features WHERE symbol = 'BTC/USDT' ORDER BY t");
  } finally {
    query.close();
  }
}

describe.each(lakeBackends)('compactLake on a $name', (backend) => {
  it('merges each multi-part partition into one compact part, every candle once, skips the rest, and reports it', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store, { features: true });
    const typesBefore = await columnTypes(store, (await ohlcvListParts(store, BTC))[0]!.key);
    const featuresBefore = await featureRows(store);
    expect(featuresBefore).toHaveLength(70);

    const report = await compactLake(compactionDeps(store));

    expect(report.totals).toMatchObject({
      examined: 4, compacted: 3, skipped: 1, recovered: 0, failed: 0,
      objectsBefore: 2 + 3 + 1 + 2, objectsAfter: 4, candles: 48 + 70 + 70, seconds: 0,
    });
    expect(report.totals.bytesAfter).toBeGreaterThan(0);
    expect(report.totals.bytesAfter).toBeLessThan(report.totals.bytesBefore);
    const byPrefix = Object.fromEntries(report.partitions.map((p) => [`${p.dataset} ${p.symbol} ${p.year}`, p]));
    expect(byPrefix['ohlcv BTC/USDT 2023']).toMatchObject({ outcome: 'compacted', generation: 1, candles: 48, objectsBefore: 2, objectsAfter: 1 });
    expect(byPrefix['ohlcv BTC/USDT 2023']!.inputKeys).toHaveLength(2);
    expect(byPrefix['ohlcv BTC/USDT 2024']).toMatchObject({ outcome: 'compacted', candles: 70, objectsBefore: 3, objectsAfter: 1 });
    expect(byPrefix['ohlcv ETH/USDT 2024']).toMatchObject({ outcome: 'skipped', candles: 0, objectsBefore: 1, objectsAfter: 1, inputKeys: [] });
    expect(byPrefix['features BTC/USDT 2024']).toMatchObject({ outcome: 'compacted', candles: 70, objectsBefore: 2, objectsAfter: 1 });

    expect(await seriesKeys(store, BTC)).toEqual([
      'year=2023/compact-20231230T0000Z-20231231T2300Z-g1.parquet',
      'year=2024/compact-20240101T0000Z-20240103T2300Z-g1.parquet',
    ]);
    expect(await seriesKeys(store, BTC, 'features')).toEqual(['year=2024/compact-20240101T0000Z-20240103T2300Z-g1.parquet']);
    await expectEveryCandleOnce(store, lake);
    // Same writer, same exact decimal types as the daily parts.
    expect(await columnTypes(store, (await ohlcvListParts(store, BTC))[0]!.key)).toEqual(typesBefore);
    expect(typesBefore).toEqual(['open_time TIMESTAMP', 'open DECIMAL(18,2)', 'high DECIMAL(18,2)', 'low DECIMAL(18,2)', 'close DECIMAL(18,2)', 'volume DECIMAL(18,5)']);
    expect(await featureRows(store)).toEqual(featuresBefore);

    const again = await compactLake(compactionDeps(store));
    expect(again.totals).toMatchObject({ examined: 4, compacted: 0, skipped: 4, recovered: 0, objectsBefore: 4, objectsAfter: 4 });
    expect(again.totals.bytesAfter).toBe(again.totals.bytesBefore);
  });

  it('a dry run plans without writing or deleting anything', async () => {
    const { store } = await backend.open();
    await writeDailyLake(store);
    const before = (await store.list('')).map((o) => o.key);

    const report = await compactLake(compactionDeps(store), { dryRun: true, datasets: ['ohlcv'] });

    expect((await store.list('')).map((o) => o.key)).toEqual(before);
    expect(report.dryRun).toBe(true);
    expect(report.totals).toMatchObject({ examined: 3, compacted: 2, skipped: 1, objectsBefore: 6, objectsAfter: 3, bytesAfter: null, candles: 0 });
    expect(report.partitions.find((p) => p.symbol === 'BTC/USDT' && p.year === 2024)?.outputKey).toBe(
      'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/compact-20240101T0000Z-20240103T2300Z-g1.parquet',
    );
  });

  it('compacts a year again after new daily parts: the next generation replaces the compact part and the new ones', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });
    const more = hourlyCandles(Date.UTC(2024, 0, 4), 24, 9);
    await ohlcvWrite(store, BTC, more);
    lake.btc.push(...more);
    expect(await seriesKeys(store, BTC)).toContain('year=2024/part-20240104T0000Z-20240104T2300Z.parquet');

    const report = await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });

    expect(report.totals).toMatchObject({ examined: 3, compacted: 1, skipped: 2, candles: 94 });
    expect((await seriesKeys(store, BTC)).filter((k) => k.startsWith('year=2024/'))).toEqual(['year=2024/compact-20240101T0000Z-20240104T2300Z-g2.parquet']);
    expect(await seriesKeys(store, ETH)).toHaveLength(1);
    await expectEveryCandleOnce(store, lake);
  });
});
