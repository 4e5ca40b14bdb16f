/**
 * compactLake over the sentiment datasets, on both lake backends: the daily parts of each
 * (series, year) become one compact part named by sentimentCompactPartKey, re-encoded with the
 * dataset's exact column types, holding every row once with the same values (sentimentRead and
 * the DuckDB views agree before and after); a second run skips everything; a crash leaves readers
 * right and the next run finishes; conflicting rows fail verification; a sentiment run holding
 * the `sentiment` lease keeps compaction off its datasets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { CompactionInterruptedError, compactLake, type CompactionStep } from '../../../lib/compact/index.ts';
import { sqlString, withConnection } from '../../../lib/lake/duckdb.ts';
import { sentimentCompactPartKey, sentimentPartKey, sentimentPrefix, type SentimentDatasetId } from '../../../lib/lake/keys.ts';
import { acquireLease } from '../../../lib/lake/lease.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery, type QueryRow } from '../../../lib/lake/query.ts';
import { encodeSentimentParquet, sentimentRead, sentimentWrite } from '../../../lib/lake/sentiment-store.ts';
import { withTempDir } from '../../../lib/lake/temp-dir.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import type { FearGreedPoint, FundingPoint, LongShortPoint, MacroPoint, OpenInterestPoint } from '../../../lib/sentiment/types.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { BTC, cacheDir, compactionDeps, H, hourlyCandles, seriesKeys } from './lake-fixture.ts';

const D = 24 * H;

const FEAR_GREED = { dataset: 'fear_greed' } as const;
const FUNDING = { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' } as const;
const OI = { dataset: 'open_interest', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' } as const;
const LSR = { dataset: 'long_short_ratio', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' } as const;
const DGS10 = { dataset: 'macro', series: 'DGS10' } as const;
const DGS2 = { dataset: 'macro', series: 'DGS2' } as const;

const CLASSES = ['Extreme Fear', 'Fear', 'Neutral', 'Greed', 'Extreme Greed'];
const FG_FROM = Date.UTC(2023, 11, 27); // 5 days in 2023, 5 in 2024
const FUNDING_FROM = Date.UTC(2024, 0, 1);
const OI_FROM = Date.UTC(2024, 5, 1);
const MACRO_FROM = Date.UTC(2024, 0, 2);

/** What {@link writeSentimentLake} stored, per series. */
interface SentimentLake {
  fearGreed: FearGreedPoint[];
  funding: FundingPoint[];
  oi: OpenInterestPoint[];
  lsr: LongShortPoint[];
  dgs10: MacroPoint[];
  dgs2: MacroPoint[];
}

/**
 * The lake the daily sentiment job leaves: fear & greed one write a day for 10 days across New
 * Year (5 parts per year), funding at 00/08/16 UTC one write a day for 10 days (10 parts), open
 * interest hourly for 2 days in 2 writes, long/short ratio in 1 write (nothing to compact), and
 * two macro series of 5 daily writes each: 33 parts in 7 partitions.
 */
async function writeSentimentLake(store: ObjectStore): Promise<SentimentLake> {
  const lake: SentimentLake = { fearGreed: [], funding: [], oi: [], lsr: [], dgs10: [], dgs2: [] };
  for (let day = 0; day < 10; day += 1) {
    const fg = { dateMs: FG_FROM + day * D, value: 7 + day * 9, classification: CLASSES[day % 5]! };
    await sentimentWrite(store, FEAR_GREED, [fg]);
    lake.fearGreed.push(fg);
    const events = [0, 8, 16].map((h, i): FundingPoint => {
      const n = day * 3 + i;
      return { timeMs: FUNDING_FROM + day * D + h * H, rate: (n % 7 - 3) * 0.0000731 + 0.0001, markPrice: n % 4 === 3 ? null : 42_000.17 + n * 13.37 };
    });
    await sentimentWrite(store, FUNDING, events);
    lake.funding.push(...events);
  }
  const oi = Array.from({ length: 48 }, (_, i): OpenInterestPoint => ({ timeMs: OI_FROM + i * H, openInterest: 80_123.456 + i * 1.1, openInterestValue: 5.4e9 + i * 1_234.567 }));
  await sentimentWrite(store, OI, oi.slice(0, 24));
  await sentimentWrite(store, OI, oi.slice(24));
  lake.oi = oi;
  lake.lsr = Array.from({ length: 24 }, (_, i) => ({ timeMs: OI_FROM + i * H, ratio: 1.5 + i / 100, longAccount: 0.6 + i / 1000, shortAccount: 0.4 - i / 1000 }));
  await sentimentWrite(store, LSR, lake.lsr);
  for (let day = 0; day < 5; day += 1) {
    const ten = { dateMs: MACRO_FROM + day * D, value: 3.95 + day * 0.013 };
    const two = { dateMs: MACRO_FROM + day * D, value: 4.33 - day * 0.021 };
    await sentimentWrite(store, DGS10, [ten]);
    await sentimentWrite(store, DGS2, [two]);
    lake.dgs10.push(ten);
    lake.dgs2.push(two);
  }
  return lake;
}

function expectedOf(lake: SentimentLake): Map<SentimentDatasetId, unknown[]> {
  return new Map<SentimentDatasetId, unknown[]>([
    [FEAR_GREED, lake.fearGreed], [FUNDING, lake.funding], [OI, lake.oi], [LSR, lake.lsr], [DGS10, lake.dgs10], [DGS2, lake.dgs2],
  ]);
}

/** Every series read back through sentimentRead equals what was written, value for value. */
async function expectEveryPointOnce(store: ObjectStore, lake: SentimentLake): Promise<void> {
  for (const [id, points] of expectedOf(lake)) expect(await sentimentRead(store, id)).toEqual(points);
}

const VIEW_QUERIES = {
  fear_greed: 'SELECT date::VARCHAR AS d, value, classification FROM fear_greed ORDER BY date',
  funding: 'SELECT exchange, symbol, epoch_ms(funding_time)::DOUBLE AS t, funding_rate, mark_price FROM funding ORDER BY symbol, funding_time',
  open_interest: 'SELECT exchange, symbol, period, epoch_ms(time)::DOUBLE AS t, open_interest, open_interest_value FROM open_interest ORDER BY time',
  long_short_ratio: 'SELECT symbol, period, epoch_ms(time)::DOUBLE AS t, long_short_ratio, long_account, short_account FROM long_short_ratio ORDER BY time',
  macro: 'SELECT series, date::VARCHAR AS d, value FROM macro ORDER BY series, date',
  counts:
    "SELECT (SELECT count(*) FROM fear_greed)::INTEGER AS fg, (SELECT count(DISTINCT date) FROM fear_greed)::INTEGER AS fg_d, " +
    "(SELECT count(*) FROM funding)::INTEGER AS funding, (SELECT count(DISTINCT funding_time) FROM funding)::INTEGER AS funding_d, " +
    "(SELECT count(*) FROM open_interest)::INTEGER AS oi, (SELECT count(DISTINCT time) FROM open_interest)::INTEGER AS oi_d, " +
    "(SELECT count(*) FROM macro)::INTEGER AS macro, (SELECT count(DISTINCT (series, date)) FROM macro)::INTEGER AS macro_d",
};

/** Every sentiment view's rows, through a fresh query session (mirror and views). */
async function viewRows(store: ObjectStore): Promise<Record<keyof typeof VIEW_QUERIES, QueryRow[]>> {
  const query = await openLakeQuery(store, await cacheDir());
  try {
    const out: Partial<Record<keyof typeof VIEW_QUERIES, QueryRow[]>> = {};
    for (const [name, sql] of Object.entries(VIEW_QUERIES)) out[name as keyof typeof VIEW_QUERIES] = await query.rows(sql);
    return out as Record<keyof typeof VIEW_QUERIES, QueryRow[]>;
  } finally {
    query.close();
  }
}

/** The views hold exactly the written rows, each once. */
function expectViewsMatch(views: Awaited<ReturnType<typeof viewRows>>, lake: SentimentLake): void {
  expect(views.counts).toEqual([{ fg: 10, fg_d: 10, funding: 30, funding_d: 30, oi: 48, oi_d: 48, macro: 10, macro_d: 10 }]);
  expect(views.fear_greed).toEqual(lake.fearGreed.map((p) => ({ d: new Date(p.dateMs).toISOString().slice(0, 10), value: p.value, classification: p.classification })));
  expect(views.funding).toEqual(lake.funding.map((p) => ({ exchange: 'binance', symbol: 'BTC/USDT', t: p.timeMs, funding_rate: p.rate, mark_price: p.markPrice })));
  expect(views.open_interest).toEqual(lake.oi.map((p) => ({
    exchange: 'binance', symbol: 'BTC/USDT', period: '1h', t: p.timeMs, open_interest: p.openInterest, open_interest_value: p.openInterestValue,
  })));
  expect(views.long_short_ratio).toHaveLength(24);
  expect(views.macro).toEqual([
    ...lake.dgs10.map((p) => ({ series: 'DGS10', d: new Date(p.dateMs).toISOString().slice(0, 10), value: p.value })),
    ...lake.dgs2.map((p) => ({ series: 'DGS2', d: new Date(p.dateMs).toISOString().slice(0, 10), value: p.value })),
  ].sort((a, b) => (a.series === b.series ? (a.d < b.d ? -1 : 1) : a.series < b.series ? -1 : 1)));
}

/** Object names under a series folder (`year=…/…`). */
async function keysOf(store: ObjectStore, id: SentimentDatasetId): Promise<string[]> {
  const prefix = sentimentPrefix(id);
  return (await store.list(prefix)).map((o) => o.key.slice(prefix.length));
}

async function columnTypes(store: ObjectStore, key: string): Promise<string[]> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'x.parquet');
    expect(await store.download(key, path)).toBe(true);
    return withConnection(async (c) => (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRows().map((r) => `${String(r[0])} ${String(r[1])}`));
  });
}

/** The compact keys one run over {@link writeSentimentLake} must leave. */
const COMPACT_KEYS = {
  fg2023: sentimentCompactPartKey(FEAR_GREED, FG_FROM, Date.UTC(2023, 11, 31), 1),
  fg2024: sentimentCompactPartKey(FEAR_GREED, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 5), 1),
  funding: sentimentCompactPartKey(FUNDING, FUNDING_FROM, Date.UTC(2024, 0, 10, 16), 1),
  oi: sentimentCompactPartKey(OI, OI_FROM, Date.UTC(2024, 5, 2, 23), 1),
  dgs10: sentimentCompactPartKey(DGS10, MACRO_FROM, Date.UTC(2024, 0, 6), 1),
  dgs2: sentimentCompactPartKey(DGS2, MACRO_FROM, Date.UTC(2024, 0, 6), 1),
};

async function expectCompacted(store: ObjectStore): Promise<void> {
  expect(await keysOf(store, FEAR_GREED)).toEqual([
    'year=2023/compact-20231227T0000Z-20231231T0000Z-g1.parquet',
    'year=2024/compact-20240101T0000Z-20240105T0000Z-g1.parquet',
  ]);
  expect(await keysOf(store, FUNDING)).toEqual(['year=2024/compact-20240101T0000Z-20240110T1600Z-g1.parquet']);
  expect(await keysOf(store, OI)).toEqual(['year=2024/compact-20240601T0000Z-20240602T2300Z-g1.parquet']);
  expect(await keysOf(store, LSR)).toEqual(['year=2024/part-20240601T0000Z-20240601T2300Z.parquet']);
  expect(await keysOf(store, DGS10)).toEqual(['year=2024/compact-20240102T0000Z-20240106T0000Z-g1.parquet']);
  expect(await keysOf(store, DGS2)).toEqual(['year=2024/compact-20240102T0000Z-20240106T0000Z-g1.parquet']);
  expect(await store.list('leases/')).toEqual([]);
}

describe.each(lakeBackends)('compactLake over the sentiment datasets on a $name', (backend) => {
  it('compacts each series-year into one part, every row once with the same values and types, and a second run skips all', async () => {
    const { store } = await backend.open();
    const lake = await writeSentimentLake(store);
    expect(await store.list('')).toHaveLength(33);
    await expectEveryPointOnce(store, lake);
    const viewsBefore = await viewRows(store);
    expectViewsMatch(viewsBefore, lake);
    const dailyFundingTypes = await columnTypes(store, (await store.list(sentimentPrefix(FUNDING)))[0]!.key);

    const report = await compactLake(compactionDeps(store));

    expect(report.datasets).toEqual(['ohlcv', 'features', 'fear_greed', 'funding', 'open_interest', 'long_short_ratio', 'macro']);
    expect(report.skippedDatasets).toBeUndefined();
    expect(report.totals).toMatchObject({
      examined: 7, compacted: 6, skipped: 1, recovered: 0, failed: 0, objectsBefore: 33, objectsAfter: 7, candles: 10 + 30 + 48 + 5 + 5,
    });
    expect(report.totals.bytesAfter).toBeLessThan(report.totals.bytesBefore);
    const byKey = Object.fromEntries(report.partitions.map((p) => [`${p.dataset} ${p.series ?? p.symbol ?? p.source} ${p.year}`, p]));
    expect(Object.keys(byKey).sort()).toEqual([
      'fear_greed alternative.me 2023', 'fear_greed alternative.me 2024', 'funding BTC/USDT 2024', 'long_short_ratio BTC/USDT 2024',
      'macro DGS10 2024', 'macro DGS2 2024', 'open_interest BTC/USDT 2024',
    ]);
    expect(byKey['fear_greed alternative.me 2023']).toMatchObject({
      prefix: 'source=alternative.me/dataset=fear_greed/year=2023/', source: 'alternative.me', outcome: 'compacted', generation: 1,
      outputKey: COMPACT_KEYS.fg2023, candles: 5, objectsBefore: 5, objectsAfter: 1,
    });
    expect(byKey['fear_greed alternative.me 2024']).toMatchObject({ outputKey: COMPACT_KEYS.fg2024, candles: 5, objectsBefore: 5, objectsAfter: 1 });
    expect(byKey['funding BTC/USDT 2024']).toMatchObject({
      prefix: 'exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/', exchange: 'binance', symbol: 'BTC/USDT', outcome: 'compacted',
      outputKey: 'exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/compact-20240101T0000Z-20240110T1600Z-g1.parquet',
      candles: 30, objectsBefore: 10, objectsAfter: 1,
    });
    expect(byKey['funding BTC/USDT 2024']!.outputKey).toBe(COMPACT_KEYS.funding);
    expect(byKey['funding BTC/USDT 2024']!.inputKeys).toHaveLength(10);
    expect(byKey['funding BTC/USDT 2024']!.timeframe).toBeUndefined();
    expect(byKey['open_interest BTC/USDT 2024']).toMatchObject({ period: '1h', outputKey: COMPACT_KEYS.oi, candles: 48, objectsBefore: 2, objectsAfter: 1 });
    expect(byKey['long_short_ratio BTC/USDT 2024']).toMatchObject({ outcome: 'skipped', period: '1h', candles: 0, objectsBefore: 1, objectsAfter: 1, inputKeys: [] });
    expect(byKey['macro DGS10 2024']).toMatchObject({
      source: 'fred', series: 'DGS10', outputKey: 'source=fred/dataset=macro/series=DGS10/year=2024/compact-20240102T0000Z-20240106T0000Z-g1.parquet',
      candles: 5, objectsBefore: 5, objectsAfter: 1,
    });
    expect(byKey['macro DGS2 2024']).toMatchObject({ outputKey: COMPACT_KEYS.dgs2, candles: 5 });

    await expectCompacted(store);
    await expectEveryPointOnce(store, lake);
    const viewsAfter = await viewRows(store);
    expect(viewsAfter).toEqual(viewsBefore);
    // Written by the store's own encoder: the exact schema types of a daily part.
    expect(await columnTypes(store, COMPACT_KEYS.funding)).toEqual(dailyFundingTypes);
    expect(dailyFundingTypes).toEqual(['funding_time TIMESTAMP', 'funding_rate DOUBLE', 'mark_price DOUBLE']);
    expect(await columnTypes(store, COMPACT_KEYS.fg2024)).toEqual(['date DATE', 'value SMALLINT', 'classification VARCHAR']);
    expect(await columnTypes(store, COMPACT_KEYS.oi)).toEqual(['time TIMESTAMP', 'open_interest DOUBLE', 'open_interest_value DOUBLE']);
    expect(await columnTypes(store, COMPACT_KEYS.dgs10)).toEqual(['date DATE', 'value DOUBLE']);

    const again = await compactLake(compactionDeps(store));
    expect(again.totals).toMatchObject({ examined: 7, compacted: 0, skipped: 7, recovered: 0, failed: 0, objectsBefore: 7, objectsAfter: 7, candles: 0 });
    expect(again.totals.bytesAfter).toBe(again.totals.bytesBefore);
    await expectCompacted(store);

    // A later daily write lands after the compact part as a plain part; the next run folds it in as g2.
    const next = { timeMs: Date.UTC(2024, 0, 11), rate: 0.00012, markPrice: 43_001.5 };
    await sentimentWrite(store, FUNDING, [next]);
    const third = await compactLake(compactionDeps(store), { datasets: ['funding'] });
    expect(third.totals).toMatchObject({ examined: 1, compacted: 1, candles: 31, objectsBefore: 2, objectsAfter: 1 });
    expect(await keysOf(store, FUNDING)).toEqual(['year=2024/compact-20240101T0000Z-20240111T0000Z-g2.parquet']);
    expect(await sentimentRead(store, FUNDING)).toEqual([...lake.funding, next]);
  });

  it('compacts only the datasets asked for, beside OHLCV in the same exchange= folders', async () => {
    const { store } = await backend.open();
    const lake = await writeSentimentLake(store);
    await ohlcvWrite(store, BTC, hourlyCandles(Date.UTC(2024, 0, 1), 24));
    await ohlcvWrite(store, BTC, hourlyCandles(Date.UTC(2024, 0, 2), 24, 1));

    const dry = await compactLake(compactionDeps(store), { dryRun: true, datasets: ['open_interest', 'macro'] });
    expect(dry.totals).toMatchObject({ examined: 3, compacted: 3, objectsBefore: 12, objectsAfter: 3, bytesAfter: null });
    expect(await store.list('')).toHaveLength(35); // a dry run writes nothing, not even a lease

    const report = await compactLake(compactionDeps(store), { datasets: ['open_interest', 'macro'] });

    expect(report.partitions.map((p) => `${p.dataset} ${p.outcome}`)).toEqual(['open_interest compacted', 'macro compacted', 'macro compacted']);
    expect(await keysOf(store, OI)).toEqual(['year=2024/compact-20240601T0000Z-20240602T2300Z-g1.parquet']);
    expect(await keysOf(store, DGS2)).toEqual(['year=2024/compact-20240102T0000Z-20240106T0000Z-g1.parquet']);
    expect(await keysOf(store, FUNDING)).toHaveLength(10);
    expect(await keysOf(store, FEAR_GREED)).toHaveLength(10);
    expect(await seriesKeys(store, BTC)).toHaveLength(2);
    await expectEveryPointOnce(store, lake);
    await expect(compactLake(compactionDeps(store), { datasets: ['sentiment' as 'macro'] })).rejects.toThrow(/unknown dataset\(s\) sentiment/);
  });

  it.each<{ step: CompactionStep; staged: number; superseded: number }>([
    { step: 'staged', staged: 1, superseded: 0 },
    { step: 'published', staged: 1, superseded: 10 },
    { step: 'deleted-one', staged: 0, superseded: 9 },
  ])('killed after $step in the funding partition: readers see every row once, the next run finishes', async ({ step, staged, superseded }) => {
    const { store } = await backend.open();
    const lake = await writeSentimentLake(store);
    let crashedIn = '';
    const hooks = {
      afterStep(at: CompactionStep, prefix: string) {
        if (at === step && !crashedIn) {
          crashedIn = prefix;
          throw new Error('killed');
        }
      },
    };

    await expect(compactLake(compactionDeps(store), { hooks })).rejects.toBeInstanceOf(CompactionInterruptedError);

    // Partitions run in key order: funding is the first with work to do.
    expect(crashedIn).toBe('exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/');
    const leftovers = (await store.list(crashedIn)).map((o) => o.key.slice(crashedIn.length));
    expect(leftovers.filter((k) => k.startsWith('_staging/'))).toEqual(staged ? ['_staging/compact-20240101T0000Z-20240110T1600Z-g1.parquet'] : []);
    expect(leftovers.filter((k) => k.startsWith('part-'))).toHaveLength(step === 'deleted-one' ? 9 : 10);
    await expectEveryPointOnce(store, lake);
    expectViewsMatch(await viewRows(store), lake);
    expect(await store.list('leases/')).toEqual([]); // released on the way out

    const report = await compactLake(compactionDeps(store));

    expect(report.partitions.find((p) => p.prefix === crashedIn)).toMatchObject({
      stagingDeleted: staged, supersededDeleted: superseded, objectsAfter: 1,
      outcome: step === 'staged' ? 'compacted' : 'recovered',
    });
    expect(report.totals).toMatchObject({ examined: 7, recovered: 1, failed: 0, objectsAfter: 7 });
    await expectCompacted(store);
    await expectEveryPointOnce(store, lake);
    expectViewsMatch(await viewRows(store), lake);
  });

  it('two different rows at one time fail verification: nothing published, staging removed, parts kept', async () => {
    const { store } = await backend.open();
    const t0 = Date.UTC(2024, 2, 1);
    const a: FundingPoint[] = [{ timeMs: t0, rate: 0.0001, markPrice: 1 }, { timeMs: t0 + 8 * H, rate: 0.0002, markPrice: null }];
    const b: FundingPoint[] = [{ timeMs: t0 + 8 * H, rate: 0.0003, markPrice: null }, { timeMs: t0 + 16 * H, rate: 0.0004, markPrice: 2 }];
    await withTempDir(async (dir) => {
      // Put around sentimentWrite, which would never store the conflicting row.
      for (const [i, points] of [a, b].entries()) {
        const path = join(dir, `${i}.parquet`);
        await encodeSentimentParquet(FUNDING, points, path);
        await store.put(sentimentPartKey(FUNDING, points[0]!.timeMs, points.at(-1)!.timeMs), await readFile(path));
      }
    });
    const before = await keysOf(store, FUNDING);

    const report = await compactLake(compactionDeps(store), { datasets: ['funding'] });

    expect(report.totals).toMatchObject({ examined: 1, compacted: 0, failed: 1, objectsAfter: 2 });
    expect(report.partitions[0]!.error).toMatch(/failed verification: .*rows 4 != distinct funding times 3/);
    expect(await keysOf(store, FUNDING)).toEqual(before);
  });

  it('leaves the sentiment datasets alone while a sentiment run holds its lease, and compacts the rest', async () => {
    const { store } = await backend.open();
    const lake = await writeSentimentLake(store);
    await ohlcvWrite(store, BTC, hourlyCandles(Date.UTC(2024, 0, 1), 24));
    await ohlcvWrite(store, BTC, hourlyCandles(Date.UTC(2024, 0, 2), 24, 1));
    const held = await acquireLease(store, { name: 'sentiment', runId: 'sentiment-running', ttlMs: 60_000, clock: compactionDeps(store).clock });
    expect(held.acquired).toBe(true);

    const report = await compactLake(compactionDeps(store));

    expect(report.skippedDatasets).toEqual({
      datasets: ['fear_greed', 'funding', 'open_interest', 'long_short_ratio', 'macro'], reason: 'the sentiment lease is held by sentiment-running',
    });
    expect(report.totals).toMatchObject({ examined: 1, compacted: 1 });
    expect(await seriesKeys(store, BTC)).toEqual(['year=2024/compact-20240101T0000Z-20240102T2300Z-g1.parquet']);
    expect(await keysOf(store, FUNDING)).toHaveLength(10);
    if (held.acquired) await held.lease.release();

    expect((await compactLake(compactionDeps(store))).totals).toMatchObject({ examined: 8, compacted: 6 });
    await expectCompacted(store);
    await expectEveryPointOnce(store, lake);
  });

  it('stops rewriting sentiment partitions once a sentiment run took its expired lease over mid-run', async () => {
    const { store } = await backend.open();
    const lake = await writeSentimentLake(store);
    const deps = compactionDeps(store);
    const clock = deps.clock as ReturnType<typeof fixedClock>;
    let takenOver = false;
    const hooks = {
      async afterStep(step: CompactionStep) {
        if (step !== 'published' || takenOver) return;
        clock.advance(16 * 60_000); // past the 15-minute TTL: the lease is stale
        takenOver = (await acquireLease(store, { name: 'sentiment', runId: 'sentiment-late', ttlMs: 60 * 60_000, clock })).acquired;
      },
    };

    const report = await compactLake(deps, { hooks });

    expect(takenOver).toBe(true);
    expect(report.skippedDatasets).toEqual({
      datasets: ['fear_greed', 'funding', 'open_interest', 'long_short_ratio', 'macro'], reason: 'the sentiment lease was taken over during compaction',
    });
    // The partition under way (funding, first in key order) finished; no other was touched.
    expect(report.partitions.map((p) => `${p.dataset} ${p.outcome}`)).toEqual(['funding compacted']);
    expect(await keysOf(store, FUNDING)).toEqual(['year=2024/compact-20240101T0000Z-20240110T1600Z-g1.parquet']);
    expect(await keysOf(store, OI)).toHaveLength(2);
    expect(await keysOf(store, DGS10)).toHaveLength(5);
    // Not released by compaction: it is the sentiment run's now.
    expect(JSON.parse(Buffer.from((await store.get('leases/sentiment.json'))!.body).toString('utf8'))).toMatchObject({ runId: 'sentiment-late' });
    await expectEveryPointOnce(store, lake);
  });
});
