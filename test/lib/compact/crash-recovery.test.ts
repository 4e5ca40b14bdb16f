/**
 * A compaction killed after each step of a swap (simulated by a hook that throws) leaves a lake
 * where every reader — ohlcvReadSeries and the DuckDB `ohlcv` view — sees every candle exactly
 * once, and the next run removes the leftovers and finishes: one part per partition.
 */
import { describe, expect, it } from 'vitest';
import { CompactionInterruptedError, compactLake, type CompactionStep } from '../../../lib/compact/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, compactionDeps, ETH, expectEveryCandleOnce, seriesKeys, writeDailyLake } from './lake-fixture.ts';

/** Leftovers each crash point leaves in the interrupted partition. */
const CRASHES: Array<{ step: CompactionStep; occurrence: number; staged: number; superseded: number }> = [
  { step: 'staged', occurrence: 1, staged: 1, superseded: 0 },
  { step: 'verified', occurrence: 1, staged: 1, superseded: 0 },
  { step: 'published', occurrence: 1, staged: 1, superseded: 2 },
  { step: 'deleted-one', occurrence: 1, staged: 0, superseded: 1 },
  // The second partition (BTC 2024, three parts), after two of its three deletions.
  { step: 'deleted-one', occurrence: 4, staged: 0, superseded: 1 },
];

describe.each(lakeBackends)('compaction crashes on a $name', (backend) => {
  it.each(CRASHES)('killed after $step (#$occurrence): readers see every candle once, the next run finishes', async ({ step, occurrence, staged, superseded }) => {
    const { store } = await backend.open();
    const lake = await writeDailyLake(store);
    let seen = 0;
    let crashedIn = '';
    const hooks = {
      afterStep(at: CompactionStep, prefix: string) {
        if (at === step && (seen += 1) === occurrence) {
          crashedIn = prefix;
          throw new Error('killed');
        }
      },
    };

    await expect(compactLake(compactionDeps(store), { datasets: ['ohlcv'], hooks })).rejects.toBeInstanceOf(CompactionInterruptedError);

    const leftovers = (await store.list(crashedIn)).map((o) => o.key.slice(crashedIn.length));
    expect(leftovers.filter((k) => k.startsWith('_staging/'))).toHaveLength(staged);
    await expectEveryCandleOnce(store, lake);

    const report = await compactLake(compactionDeps(store), { datasets: ['ohlcv'] });

    const entry = report.partitions.find((p) => p.prefix === crashedIn)!;
    expect(entry).toMatchObject({ stagingDeleted: staged, supersededDeleted: superseded, objectsAfter: 1 });
    expect(report.totals).toMatchObject({ examined: 3, recovered: 1, failed: 0, objectsAfter: 3 });
    expect(await seriesKeys(store, BTC)).toEqual([
      'year=2023/compact-20231230T0000Z-20231231T2300Z-g1.parquet',
      'year=2024/compact-20240101T0000Z-20240103T2300Z-g1.parquet',
    ]);
    expect(await seriesKeys(store, ETH)).toEqual(['year=2024/part-20240101T0000Z-20240102T2300Z.parquet']);
    await expectEveryCandleOnce(store, lake);
  });
});
