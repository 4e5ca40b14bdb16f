/**
 * Compaction refuses to publish what it cannot prove equal to its inputs, and recovery keeps
 * superseded parts when the compact part covering them cannot be read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactLake } from '../../../lib/compact/index.ts';
import { compactPartKey, ohlcvPartKey } from '../../../lib/lake/keys.ts';
import { encodeOhlcvParquet } from '../../../lib/lake/ohlcv-store.ts';
import { withTempDir } from '../../../lib/lake/temp-dir.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, compactionDeps, hourlyCandles, seriesKeys } from './lake-fixture.ts';

describe.each(lakeBackends)('compaction safeguards on a $name', (backend) => {
  it('two different candles at one open time fail verification: nothing published, staging removed, parts kept', async () => {
    const { store } = await backend.open();
    const t0 = Date.UTC(2024, 1, 1);
    const a = hourlyCandles(t0, 3);
    const b = [{ ...a[2]!, close: a[2]!.close + 1 }, ...hourlyCandles(t0 + 3 * 3_600_000, 2)];
    await withTempDir(async (dir) => {
      // Written around ohlcvWrite, which would never store the conflicting row.
      for (const [i, candles] of [a, b].entries()) {
        const path = join(dir, `${i}.parquet`);
        await encodeOhlcvParquet(candles, path);
        await store.put(ohlcvPartKey(BTC, candles[0]!.openTimeMs, candles.at(-1)!.openTimeMs), await readFile(path));
      }
    });
    const before = await seriesKeys(store, BTC);

    const report = await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });

    expect(report.totals).toMatchObject({ examined: 1, compacted: 0, failed: 1, objectsAfter: 2 });
    expect(report.partitions[0]!.error).toMatch(/failed verification: .*rows 6 != distinct open times 5/);
    expect(await seriesKeys(store, BTC)).toEqual(before);
  });

  it('keeps superseded parts when their covering compact part is unreadable', async () => {
    const { store } = await backend.open();
    const t0 = Date.UTC(2024, 1, 1);
    await withTempDir(async (dir) => {
      const path = join(dir, 'p.parquet');
      await encodeOhlcvParquet(hourlyCandles(t0, 3), path);
      await store.put(ohlcvPartKey(BTC, t0, t0 + 2 * 3_600_000), await readFile(path));
    });
    await store.put(compactPartKey('ohlcv', BTC, t0, t0 + 5 * 3_600_000, 1), 'not parquet');

    const report = await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });

    expect(report.totals).toMatchObject({ failed: 1, recovered: 0 });
    expect(await seriesKeys(store, BTC)).toEqual([
      'year=2024/compact-20240201T0000Z-20240201T0500Z-g1.parquet',
      'year=2024/part-20240201T0000Z-20240201T0200Z.parquet',
    ]);
  });
});
