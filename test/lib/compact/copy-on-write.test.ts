/**
 * Writing into a compacted year: a plain part inside a compact part's range would be hidden by
 * the supersession rule, so ohlcvWrite rewrites the year as the next generation instead (e.g. the
 * validate job repairing a gap); candles after the range still go to a plain part.
 */
import { describe, expect, it } from 'vitest';
import { compactLake } from '../../../lib/compact/index.ts';
import { ohlcvListParts, ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, BTC_GAP, compactionDeps, expectEveryCandleOnce, hourlyCandles, seriesKeys, writeDailyLake } from './lake-fixture.ts';

describe.each(lakeBackends)('ohlcvWrite into a compacted year on a $name', (backend) => {
  it('repairs a gap inside a compact part with a next-generation compact part, then compaction has nothing left to do', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });
    const repair = BTC_GAP.map((t) => ({ ...hourlyCandles(t, 1, 3)[0]!, close: 123.45 }));

    const result = await ohlcvWrite(store, BTC, repair);

    expect(result).toMatchObject({ written: 2, alreadyStored: 0, objectsWritten: 1, keys: [expect.stringMatching(/year=2024\/compact-20240101T0000Z-20240103T2300Z-g2\.parquet$/)] });
    expect((await seriesKeys(store, BTC)).filter((k) => k.startsWith('year=2024/'))).toEqual(['year=2024/compact-20240101T0000Z-20240103T2300Z-g2.parquet']);
    lake.btc.push(...repair);
    lake.btc.sort((a, b) => a.openTimeMs - b.openTimeMs);
    await expectEveryCandleOnce(store, lake);

    // Idempotent: the same repair again stores nothing.
    expect(await ohlcvWrite(store, BTC, repair)).toMatchObject({ written: 0, alreadyStored: 2, objectsWritten: 0 });
    const report = await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });
    expect(report.totals).toMatchObject({ compacted: 0, skipped: 3 });
  });

  it('appends after a compact part as a plain part, which stays live', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });
    const next = hourlyCandles(Date.UTC(2024, 0, 4), 24, 5);

    const result = await ohlcvWrite(store, BTC, [...lake.btc.slice(-3), ...next]);

    expect(result).toMatchObject({ written: 24, alreadyStored: 3, objectsWritten: 1 });
    expect((await ohlcvListParts(store, BTC)).map((p) => p.key.slice(p.key.indexOf('year='))).filter((k) => k.startsWith('year=2024'))).toEqual([
      'year=2024/compact-20240101T0000Z-20240103T2300Z-g1.parquet',
      'year=2024/part-20240104T0000Z-20240104T2300Z.parquet',
    ]);
    lake.btc.push(...next);
    await expectEveryCandleOnce(store, lake);
  });

  it('a write reaching from inside a compact range past its end rewrites the year, keeping later plain parts', async () => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });
    const later = hourlyCandles(Date.UTC(2024, 0, 5), 2, 6);
    await ohlcvWrite(store, BTC, later); // plain part after the compact range
    const repair = [...BTC_GAP.map((t) => hourlyCandles(t, 1, 3)[0]!), ...hourlyCandles(Date.UTC(2024, 0, 4), 1, 8)];

    await ohlcvWrite(store, BTC, repair);

    // The rewrite covers the plain part of Jan 5 too, so it must hold its candles (it does: it merges every live part of the year).
    expect((await seriesKeys(store, BTC)).filter((k) => k.startsWith('year=2024/'))).toEqual(['year=2024/compact-20240101T0000Z-20240105T0100Z-g2.parquet']);
    lake.btc.push(...later, ...repair);
    lake.btc.sort((a, b) => a.openTimeMs - b.openTimeMs);
    await expectEveryCandleOnce(store, lake);
  });
});
