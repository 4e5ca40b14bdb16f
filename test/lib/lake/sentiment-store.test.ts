import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../lib/candles/types.ts';
import {
  ohlcvPartKey, parseOhlcvPartKey, parseSentimentPartition, seriesPartKey, sentimentPartKey, sentimentPrefix,
  type SentimentDatasetId,
} from '../../../lib/lake/keys.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery, type LakeQuery } from '../../../lib/lake/query.ts';
import { sentimentListParts, sentimentRead, sentimentStoredRange, sentimentWrite } from '../../../lib/lake/sentiment-store.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import type { FearGreedPoint, FundingPoint, LongShortPoint, MacroPoint, OpenInterestPoint } from '../../../lib/sentiment/types.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';

const H = 3_600_000;
const D = 24 * H;

const FEAR_GREED = { dataset: 'fear_greed' } as const;
const BTC_FUNDING = { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' } as const;
const BTC_OI = { dataset: 'open_interest', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' } as const;
const BTC_LSR = { dataset: 'long_short_ratio', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' } as const;
const DGS10 = { dataset: 'macro', series: 'DGS10' } as const;

/** Funding every 8 h from `fromMs`. */
function funding(fromMs: number, count: number): FundingPoint[] {
  return Array.from({ length: count }, (_, i) => ({
    timeMs: fromMs + i * 8 * H,
    rate: 0.0001 * (i + 1),
    markPrice: i % 2 === 0 ? 42_000.5 + i : null,
  }));
}

function fearGreed(fromMs: number, count: number): FearGreedPoint[] {
  return Array.from({ length: count }, (_, i) => ({ dateMs: fromMs + i * D, value: 20 + i * 10, classification: i < 2 ? 'Fear' : 'Greed' }));
}

function dailyCandles(fromMs: number, count: number, base: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = base + i * 100;
    return { openTimeMs: fromMs + i * D, open, high: open + 150, low: open - 50, close: open + 100, volume: 10 + i };
  });
}

async function cacheDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'candlelake-sentiment-cache-'));
}

async function withLake<T>(store: ObjectStore, work: (lake: LakeQuery) => Promise<T>): Promise<T> {
  const lake = await openLakeQuery(store, await cacheDir());
  try {
    return await work(lake);
  } finally {
    lake.close();
  }
}

/** A store that refuses to hand out object bodies: proves a call works from the key listing alone. */
function listingOnly(store: ObjectStore): ObjectStore {
  const refuse = () => Promise.reject(new Error('read a body'));
  return { url: store.url, list: (p) => store.list(p), head: (k) => store.head(k), get: refuse, download: refuse, put: refuse, delete: refuse };
}

describe('sentiment keys', () => {
  it('lays the sentiment datasets out Hive-style, one folder per series and year', () => {
    expect(sentimentPrefix(FEAR_GREED)).toBe('source=alternative.me/dataset=fear_greed/');
    expect(sentimentPrefix(BTC_FUNDING)).toBe('exchange=binance/dataset=funding/symbol=BTC-USDT/');
    expect(sentimentPrefix(BTC_OI)).toBe('exchange=binance/dataset=open_interest/period=1h/symbol=BTC-USDT/');
    expect(sentimentPrefix(BTC_LSR)).toBe('exchange=binance/dataset=long_short_ratio/period=1h/symbol=BTC-USDT/');
    expect(sentimentPrefix(DGS10)).toBe('source=fred/dataset=macro/series=DGS10/');
    const key = sentimentPartKey(BTC_FUNDING, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2, 16));
    expect(key).toBe('exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240102T1600Z.parquet');
    expect(parseOhlcvPartKey(key)).toEqual({ key, year: 2024, firstOpenTimeMs: Date.UTC(2024, 0, 1), lastOpenTimeMs: Date.UTC(2024, 0, 2, 16) });
    expect(sentimentPartKey(DGS10, Date.UTC(2023, 0, 3), Date.UTC(2023, 11, 29))).toBe(
      'source=fred/dataset=macro/series=DGS10/year=2023/part-20230103T0000Z-20231229T0000Z.parquet',
    );
  });

  it('reads the series and year back from any key under a year folder', () => {
    for (const id of [FEAR_GREED, BTC_FUNDING, BTC_OI, BTC_LSR, DGS10] as SentimentDatasetId[]) {
      const key = sentimentPartKey(id, Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 2));
      expect(parseSentimentPartition(key)).toEqual({ id, year: 2024, prefix: `${sentimentPrefix(id)}year=2024/` });
    }
    expect(parseSentimentPartition('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-x.parquet')).toBeUndefined();
    expect(parseSentimentPartition('source=fred/dataset=macro/series=DGS10/latest.json')).toBeUndefined();
  });

  it('keeps the OHLCV and features keys as they were', () => {
    const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;
    expect(ohlcvPartKey(series, Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31, 23))).toBe(
      'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20241231T2300Z.parquet',
    );
    expect(seriesPartKey('features', series, Date.UTC(2024, 0, 1), Date.UTC(2024, 5, 1, 23))).toBe(
      'exchange=binance/dataset=features/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240601T2300Z.parquet',
    );
  });

  it('refuses ids that would break the layout', () => {
    expect(() => sentimentPrefix({ dataset: 'macro', series: 'A/B' })).toThrow(RangeError);
    expect(() => sentimentPrefix({ dataset: 'macro', series: '' })).toThrow(RangeError);
    expect(() => sentimentPrefix({ dataset: 'funding', exchange: 'binance', symbol: 'BTCUSDT' })).toThrow(RangeError);
    expect(() => sentimentPrefix({ dataset: 'funding', exchange: 'a=b', symbol: 'BTC/USDT' })).toThrow(RangeError);
  });
});

describe.each(lakeBackends)('sentiment store on a $name', (backend) => {
  it('writes one part, reads the same points back, and a rerun adds nothing', async () => {
    const { store } = await backend.open();
    const points = funding(Date.UTC(2024, 0, 1), 6);
    const first = await sentimentWrite(store, BTC_FUNDING, points);
    expect(first).toMatchObject({
      written: 6, alreadyStored: 0, objectsWritten: 1,
      keys: ['exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240102T1600Z.parquet'],
    });
    expect(first.bytesWritten).toBeGreaterThan(0);
    expect(await sentimentRead(store, BTC_FUNDING)).toEqual(points);

    const before = (await store.list('')).map((o) => o.key);
    const again = await sentimentWrite(store, BTC_FUNDING, points);
    expect(again).toEqual({ written: 0, alreadyStored: 6, objectsWritten: 0, bytesWritten: 0, keys: [] });
    expect((await store.list('')).map((o) => o.key)).toEqual(before);
  });

  it('an incremental write adds only the newer rows, as a new part', async () => {
    const { store } = await backend.open();
    const all = funding(Date.UTC(2024, 2, 1), 10);
    await sentimentWrite(store, BTC_FUNDING, all.slice(0, 6));
    // Out of order and with a repeated point: both are taken.
    const overlap = [...all.slice(4)].reverse();
    overlap.push(all[9]!);
    const result = await sentimentWrite(store, BTC_FUNDING, overlap);
    expect(result).toMatchObject({
      written: 4, alreadyStored: 2, objectsWritten: 1,
      keys: ['exchange=binance/dataset=funding/symbol=BTC-USDT/year=2024/part-20240303T0000Z-20240304T0000Z.parquet'],
    });
    expect((await sentimentListParts(store, BTC_FUNDING)).map((p) => [p.firstOpenTimeMs, p.lastOpenTimeMs])).toEqual([
      [all[0]!.timeMs, all[5]!.timeMs],
      [all[6]!.timeMs, all[9]!.timeMs],
    ]);
    expect(await sentimentRead(store, BTC_FUNDING)).toEqual(all);
  });

  it('splits a write spanning a year boundary into one part per year', async () => {
    const { store } = await backend.open();
    const points = fearGreed(Date.UTC(2023, 11, 30), 4); // Dec 30, Dec 31, Jan 1, Jan 2
    const result = await sentimentWrite(store, FEAR_GREED, points);
    expect(result).toMatchObject({
      written: 4, objectsWritten: 2,
      keys: [
        'source=alternative.me/dataset=fear_greed/year=2023/part-20231230T0000Z-20231231T0000Z.parquet',
        'source=alternative.me/dataset=fear_greed/year=2024/part-20240101T0000Z-20240102T0000Z.parquet',
      ],
    });
    expect((await sentimentListParts(store, FEAR_GREED)).map((p) => p.year)).toEqual([2023, 2024]);
    expect(await sentimentRead(store, FEAR_GREED)).toEqual(points);
    expect(await sentimentWrite(store, FEAR_GREED, points)).toMatchObject({ written: 0, alreadyStored: 4, objectsWritten: 0 });
  });

  it('knows the stored range from key names alone', async () => {
    const { store } = await backend.open();
    expect(await sentimentStoredRange(listingOnly(store), DGS10)).toBeUndefined();
    const macro: MacroPoint[] = [
      { dateMs: Date.UTC(2023, 11, 29), value: 3.88 },
      { dateMs: Date.UTC(2024, 0, 2), value: 3.95 },
    ];
    await sentimentWrite(store, DGS10, macro);
    await sentimentWrite(store, DGS10, [{ dateMs: Date.UTC(2024, 0, 3), value: 3.91 }]);
    expect(await sentimentStoredRange(listingOnly(store), DGS10)).toEqual({ firstMs: Date.UTC(2023, 11, 29), lastMs: Date.UTC(2024, 0, 3) });
    // Another series of the same dataset is separate.
    expect(await sentimentStoredRange(listingOnly(store), { dataset: 'macro', series: 'DGS2' })).toBeUndefined();
  });

  it('rewrites a year rather than hide rows: sub-minute times sharing a part name, then a gap inside a compact part', async () => {
    const { store } = await backend.open();
    const t0 = Date.UTC(2020, 0, 1);
    const pt = (timeMs: number, rate: number, markPrice: number | null): FundingPoint => ({ timeMs, rate, markPrice });
    // Old Binance funding times carry a few ms of jitter: these two writes name the same part.
    await sentimentWrite(store, BTC_FUNDING, [pt(t0 + 6, 0.0001, null), pt(t0 + 16 * H + 6, 0.0002, 7_210)]);
    const second = await sentimentWrite(store, BTC_FUNDING, [pt(t0, 0.0003, 7_200), pt(t0 + 16 * H, 0.0004, 7_220)]);
    expect(second).toMatchObject({
      written: 2, alreadyStored: 0, objectsWritten: 1,
      keys: ['exchange=binance/dataset=funding/symbol=BTC-USDT/year=2020/compact-20200101T0000Z-20200101T1600Z-g1.parquet'],
    });
    await sentimentWrite(store, BTC_FUNDING, [pt(t0 + 2 * D, 0.0005, 7_300)]);
    // A gap repair inside the compact part's range: a plain part there would be superseded, so the year is rewritten.
    const gap = await sentimentWrite(store, BTC_FUNDING, [pt(t0 + 8 * H, 0.0006, 7_250)]);
    expect(gap.keys).toEqual(['exchange=binance/dataset=funding/symbol=BTC-USDT/year=2020/compact-20200101T0000Z-20200103T0000Z-g2.parquet']);
    const expected = [
      pt(t0, 0.0003, 7_200), pt(t0 + 6, 0.0001, null), pt(t0 + 8 * H, 0.0006, 7_250),
      pt(t0 + 16 * H, 0.0004, 7_220), pt(t0 + 16 * H + 6, 0.0002, 7_210), pt(t0 + 2 * D, 0.0005, 7_300),
    ];
    expect(await sentimentRead(store, BTC_FUNDING)).toEqual(expected);
    expect(await sentimentWrite(store, BTC_FUNDING, expected)).toMatchObject({ written: 0, alreadyStored: 6, objectsWritten: 0 });
    expect((await store.list(sentimentPrefix(BTC_FUNDING))).map((o) => o.key.slice(o.key.lastIndexOf('/') + 1))).toEqual([
      'compact-20200101T0000Z-20200103T0000Z-g2.parquet',
    ]);
    await withLake(store, async (lake) => {
      expect(await lake.rows('SELECT count(*)::INTEGER AS n, count(DISTINCT funding_time)::INTEGER AS d FROM funding')).toEqual([{ n: 6, d: 6 }]);
    });
  });

  it('refuses points that do not fit the schema, writing nothing', async () => {
    const { store } = await backend.open();
    await expect(sentimentWrite(store, FEAR_GREED, [{ dateMs: Date.UTC(2024, 0, 1, 12), value: 50, classification: 'Neutral' }])).rejects.toThrow(/00:00 UTC/);
    await expect(sentimentWrite(store, FEAR_GREED, [{ dateMs: Date.UTC(2024, 0, 1), value: 50.5, classification: 'Neutral' }])).rejects.toThrow(/SMALLINT/);
    await expect(sentimentWrite(store, BTC_OI, [{ timeMs: Date.UTC(2024, 0, 1), openInterest: Number.NaN, openInterestValue: 1 }])).rejects.toThrow(/open_interest is not a finite number/);
    expect(await store.list('')).toEqual([]);
  });

  it('serves every dataset through its typed view, empty views included', async () => {
    const { store } = await backend.open();
    await withLake(store, async (lake) => {
      const columns = async (view: string) => (await lake.rows(`DESCRIBE ${view}`)).map((r) => `${String(r['column_name'])} ${String(r['column_type'])}`);
      expect(await columns('fear_greed')).toEqual(['date DATE', 'value SMALLINT', 'classification VARCHAR']);
      expect(await columns('funding')).toEqual(['exchange VARCHAR', 'symbol VARCHAR', 'funding_time TIMESTAMP', 'funding_rate DOUBLE', 'mark_price DOUBLE']);
      expect(await columns('macro')).toEqual(['series VARCHAR', 'date DATE', 'value DOUBLE']);
      expect(await lake.rows('SELECT count(*)::INTEGER AS n FROM long_short_ratio')).toEqual([{ n: 0 }]);
    });

    const oi: OpenInterestPoint[] = [
      { timeMs: Date.UTC(2024, 5, 1, 0), openInterest: 80_123.456, openInterestValue: 5_400_000_000.25 },
      { timeMs: Date.UTC(2024, 5, 1, 1), openInterest: 80_200.5, openInterestValue: 5_410_000_000.75 },
    ];
    const lsr: LongShortPoint[] = [{ timeMs: Date.UTC(2024, 5, 1, 0), ratio: 1.5, longAccount: 0.6, shortAccount: 0.4 }];
    await sentimentWrite(store, FEAR_GREED, fearGreed(Date.UTC(2024, 5, 1), 2));
    await sentimentWrite(store, BTC_FUNDING, funding(Date.UTC(2024, 5, 1), 2));
    await sentimentWrite(store, { ...BTC_FUNDING, symbol: 'ETH/USDT' }, [{ timeMs: Date.UTC(2024, 5, 1), rate: -0.00005, markPrice: 3_800.1 }]);
    await sentimentWrite(store, BTC_OI, oi);
    await sentimentWrite(store, BTC_LSR, lsr);
    await sentimentWrite(store, DGS10, [{ dateMs: Date.UTC(2024, 5, 3), value: 4.4 }]);
    await sentimentWrite(store, { dataset: 'macro', series: 'DGS2' }, [{ dateMs: Date.UTC(2024, 5, 3), value: 4.85 }]);

    await withLake(store, async (lake) => {
      expect(await lake.rows(
        'SELECT date::VARCHAR AS d, typeof(date) AS td, value, typeof(value) AS tv, classification FROM fear_greed ORDER BY date',
      )).toEqual([
        { d: '2024-06-01', td: 'DATE', value: 20, tv: 'SMALLINT', classification: 'Fear' },
        { d: '2024-06-02', td: 'DATE', value: 30, tv: 'SMALLINT', classification: 'Fear' },
      ]);
      expect(await lake.rows(
        'SELECT exchange, symbol, epoch_ms(funding_time)::DOUBLE AS t, typeof(funding_time) AS tt, funding_rate, mark_price, ' +
          'typeof(funding_rate) AS tr FROM funding ORDER BY symbol, funding_time',
      )).toEqual([
        { exchange: 'binance', symbol: 'BTC/USDT', t: Date.UTC(2024, 5, 1), tt: 'TIMESTAMP', funding_rate: 0.0001, mark_price: 42_000.5, tr: 'DOUBLE' },
        { exchange: 'binance', symbol: 'BTC/USDT', t: Date.UTC(2024, 5, 1, 8), tt: 'TIMESTAMP', funding_rate: 0.0002, mark_price: null, tr: 'DOUBLE' },
        { exchange: 'binance', symbol: 'ETH/USDT', t: Date.UTC(2024, 5, 1), tt: 'TIMESTAMP', funding_rate: -0.00005, mark_price: 3_800.1, tr: 'DOUBLE' },
      ]);
      expect(await lake.rows(
        'SELECT exchange, symbol, period, epoch_ms(time)::DOUBLE AS t, typeof(time) AS tt, open_interest, open_interest_value, ' +
          'typeof(open_interest_value) AS tv FROM open_interest ORDER BY time',
      )).toEqual(oi.map((p) => ({
        exchange: 'binance', symbol: 'BTC/USDT', period: '1h', t: p.timeMs, tt: 'TIMESTAMP',
        open_interest: p.openInterest, open_interest_value: p.openInterestValue, tv: 'DOUBLE',
      })));
      expect(await lake.rows(
        'SELECT exchange, symbol, period, epoch_ms(time)::DOUBLE AS t, long_short_ratio, long_account, short_account, typeof(long_account) AS ta FROM long_short_ratio',
      )).toEqual([{ exchange: 'binance', symbol: 'BTC/USDT', period: '1h', t: Date.UTC(2024, 5, 1), long_short_ratio: 1.5, long_account: 0.6, short_account: 0.4, ta: 'DOUBLE' }]);
      expect(await lake.rows('SELECT series, date::VARCHAR AS d, typeof(date) AS td, value, typeof(value) AS tv FROM macro ORDER BY series')).toEqual([
        { series: 'DGS10', d: '2024-06-03', td: 'DATE', value: 4.4, tv: 'DOUBLE' },
        { series: 'DGS2', d: '2024-06-03', td: 'DATE', value: 4.85, tv: 'DOUBLE' },
      ]);
    });
  });

  it('joins the sentiment views with ohlcv on symbol and time', async () => {
    const { store } = await backend.open();
    const day0 = Date.UTC(2024, 0, 1);
    await ohlcvWrite(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1d' }, dailyCandles(day0, 3, 42_000));
    await ohlcvWrite(store, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1d' }, dailyCandles(day0, 3, 2_300));
    await ohlcvWrite(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, [
      { openTimeMs: day0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 },
    ]);
    await sentimentWrite(store, BTC_FUNDING, funding(day0, 9)); // 00:00, 08:00, 16:00 for three days
    await sentimentWrite(store, { ...BTC_FUNDING, symbol: 'ETH/USDT' }, [{ timeMs: day0 + D, rate: 0.0005, markPrice: 2_401 }]);
    await sentimentWrite(store, FEAR_GREED, fearGreed(day0, 2)); // Jan 1 and 2 only

    await withLake(store, async (lake) => {
      const rows = await lake.rows(
        'SELECT o.symbol, o.open_time::DATE AS day, o.close, f.funding_rate, g.value AS fear_greed FROM ohlcv o ' +
          'JOIN funding f ON f.symbol = o.symbol AND f.funding_time = o.open_time JOIN fear_greed g ON g.date = o.open_time::DATE ' +
          "WHERE o.timeframe = '1d' ORDER BY o.symbol, day",
      );
      expect(rows).toEqual([
        { symbol: 'BTC/USDT', day: '2024-01-01', close: 42_100, funding_rate: 0.0001, fear_greed: 20 },
        { symbol: 'BTC/USDT', day: '2024-01-02', close: 42_200, funding_rate: 0.0004, fear_greed: 30 },
        { symbol: 'ETH/USDT', day: '2024-01-02', close: 2_500, funding_rate: 0.0005, fear_greed: 30 },
      ]);
    });
  });
});
