/**
 * A small lake for compaction tests: OHLCV written the way the daily update writes it (one part
 * per call), feature parts, and the reader checks every test repeats.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Candle } from '../../../lib/candles/types.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import type { CompactionDeps } from '../../../lib/compact/index.ts';
import { featuresWrite } from '../../../lib/features/store.ts';
import type { SeriesId } from '../../../lib/lake/keys.ts';
import { ohlcvReadSeries, ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';

export const H = 3_600_000;
/** The two BTC candles {@link writeDailyLake} leaves out. */
export const BTC_GAP = [Date.UTC(2024, 0, 2, 12), Date.UTC(2024, 0, 2, 13)];
export const BTC: SeriesId = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
export const ETH: SeriesId = { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' };

/** Hourly candles with 2-decimal prices and 5-decimal volumes; `seed` varies the numbers per series. */
export function hourlyCandles(fromMs: number, count: number, seed = 0): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = 40_000 + seed * 1000 + i * 1.25;
    return { openTimeMs: fromMs + i * H, open, high: open + 10.5, low: open - 3.01, close: open + 0.75, volume: 12.34567 + i };
  });
}

export const silentLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function compactionDeps(store: ObjectStore): CompactionDeps {
  return { store, clock: fixedClock(Date.UTC(2024, 6, 7, 3)), logger: silentLogger };
}

/** What {@link writeDailyLake} stored, for the assertions. */
export interface DailyLake {
  btc: Candle[];
  eth: Candle[];
}

/**
 * BTC 1h: two daily parts at the end of 2023, three daily parts in 2024 (missing Jan 2 12:00 and
 * 13:00, for repair tests); ETH 1h: one part in 2024 (nothing to compact); BTC features: two parts in 2024.
 */
export async function writeDailyLake(store: ObjectStore, options: { features?: boolean } = {}): Promise<DailyLake> {
  const btc: Candle[] = [];
  const days = [Date.UTC(2023, 11, 30), Date.UTC(2023, 11, 31), Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)];
  for (const [i, day] of days.entries()) {
    let batch = hourlyCandles(day, 24, i);
    if (day === Date.UTC(2024, 0, 2)) batch = batch.filter((c) => c.openTimeMs < day + 12 * H || c.openTimeMs > day + 13 * H);
    await ohlcvWrite(store, BTC, batch);
    btc.push(...batch);
  }
  const eth = hourlyCandles(Date.UTC(2024, 0, 1), 48, 7).map((c) => ({ ...c, open: c.open / 10_000, high: c.high / 10_000, low: c.low / 10_000, close: c.close / 10_000 }));
  await ohlcvWrite(store, ETH, eth);
  if (options.features) {
    const times = Float64Array.from(btc.filter((c) => c.openTimeMs >= Date.UTC(2024, 0, 1)).map((c) => c.openTimeMs));
    const values = Float64Array.from(times, (_, i) => (i < 3 ? Number.NaN : i * 0.5));
    await featuresWrite(store, BTC, times, [{ name: 'sma_3', values }], 0, 30);
    await featuresWrite(store, BTC, times, [{ name: 'sma_3', values }], 30, times.length);
  }
  return { btc, eth };
}

export async function cacheDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'candlelake-compact-cache-'));
}

/** Every reader sees each candle exactly once, with the written values. */
export async function expectEveryCandleOnce(store: ObjectStore, lake: DailyLake): Promise<void> {
  for (const [series, candles] of [[BTC, lake.btc], [ETH, lake.eth]] as const) {
    const read = await ohlcvReadSeries(store, series);
    expect(Array.from(read.openTimeMs)).toEqual(candles.map((c) => c.openTimeMs));
    expect(Array.from(read.close)).toEqual(candles.map((c) => c.close));
    expect(Array.from(read.volume)).toEqual(candles.map((c) => c.volume));
  }
  const query = await openLakeQuery(store, await cacheDir());
  try {
    const rows = await query.rows(
      'SELECT symbol, count(*)::INTEGER AS n, count(DISTINCT open_time)::INTEGER AS d, sum(close) AS close FROM ohlcv GROUP BY symbol ORDER BY symbol',
    );
    const sum = (candles: Candle[]) => candles.reduce((a, c) => a + c.close, 0);
    expect(rows).toEqual([
      { symbol: 'BTC/USDT', n: lake.btc.length, d: lake.btc.length, close: expect.closeTo(sum(lake.btc), 6) },
      { symbol: 'ETH/USDT', n: lake.eth.length, d: lake.eth.length, close: expect.closeTo(sum(lake.eth), 6) },
    ]);
  } finally {
    query.close();
  }
}

/** Keys under the lake's series folders, relative names only (`year=…/…`), for compact assertions. */
export async function seriesKeys(store: ObjectStore, series: SeriesId, dataset = 'ohlcv'): Promise<string[]> {
  const prefix = `exchange=${series.exchange}/dataset=${dataset}/timeframe=${series.timeframe}/symbol=${series.symbol.replace('/', '-')}/`;
  return (await store.list(prefix)).map((o) => o.key.slice(prefix.length));
}
