/**
 * Brings one (symbol, timeframe) series up to date: page through the exchange from where the
 * lake stops, screen every row, and write what is new in large atomic parts.
 */
import type { Timeframe } from '../config/universe.ts';
import { timeframeMs } from '../candles/timeframe.ts';
import type { Candle } from '../candles/types.ts';
import { addRejections, screenCandles } from '../candles/validate.ts';
import type { CandleExchange } from '../exchange/types.ts';
import { parseOhlcvPartKey, type PartRange } from '../lake/keys.ts';
import { ohlcvListParts, ohlcvStoredRange, ohlcvWrite } from '../lake/ohlcv-store.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { fetchWindows, type FetchWindow } from './fetch-windows.ts';
import type { SeriesReport } from './types.ts';

export interface SeriesUpdateOptions {
  store: ObjectStore;
  exchange: CandleExchange;
  symbol: string;
  timeframe: Timeframe;
  nowMs: number;
  initialLookbackDays: number;
  flushEveryCandles: number;
  sinceMs?: number;
  /** Throws when the run may no longer write (its lease was lost). */
  assertMayWrite: () => void;
}

/** Largest aligned numeric open time in a raw page: how far the exchange got, bad rows or not. */
function pageEnd(rows: ReadonlyArray<ReadonlyArray<number | null | undefined>>, step: number): number | undefined {
  let max: number | undefined;
  for (const row of rows) {
    const t = row[0];
    if (typeof t === 'number' && Number.isInteger(t) && t % step === 0) max = max === undefined ? t : Math.max(max, t);
  }
  return max;
}

/**
 * Pages one window of a series from the exchange, screening every row and counting into `report`;
 * `onPage` receives each page's closed, valid candles inside the window. The update job and the
 * validate job's repairs both fetch through here: same paging, rate budget and retries.
 * @example await pageWindow(exchange, 'BTC/USDT', '1h', { fromMs, toMs }, Date.now(), report, async (c) => candles.push(...c));
 */
export async function pageWindow(
  exchange: CandleExchange,
  symbol: string,
  timeframe: Timeframe,
  window: FetchWindow,
  nowMs: number,
  report: SeriesReport,
  onPage: (candles: Candle[]) => Promise<void>,
): Promise<void> {
  const step = timeframeMs(timeframe);
  let cursor = window.fromMs;
  while (cursor <= window.toMs) {
    const rows = await exchange.fetchCandlePage(symbol, timeframe, cursor, exchange.pageLimit);
    report.pages += 1;
    report.fetched += rows.length;
    const screened = screenCandles(rows, timeframe, nowMs);
    addRejections(report.rejected, screened.rejected);
    report.duplicates += screened.duplicates;
    const inWindow: Candle[] = [];
    for (const candle of screened.accepted) {
      // Before the cursor: an overlapping page repeating what was already taken.
      if (candle.openTimeMs < cursor) report.duplicates += 1;
      // Past the window's end: a head backfill reaching into what the lake already stores.
      else if (candle.openTimeMs <= window.toMs) inWindow.push(candle);
    }
    await onPage(inWindow);
    const end = pageEnd(rows, step);
    if (end === undefined || end < cursor) break; // nothing more on the exchange
    cursor = end + step;
  }
}

/** A report with nothing done yet. */
export function emptySeriesReport(symbol: string, timeframe: Timeframe): SeriesReport {
  return {
    symbol, timeframe, ok: true, fetched: 0, written: 0, alreadyStored: 0, rejected: {},
    duplicates: 0, pages: 0, objectsWritten: 0, bytesWritten: 0,
  };
}

/**
 * Updates one series, counting into `report` as it goes. Throws on a failure that ends this
 * series (the caller records it and carries on with the others); `report` then still shows
 * what was written before the failure.
 */
export async function updateSeries(options: SeriesUpdateOptions, report: SeriesReport): Promise<SeriesReport> {
  const { store, exchange, symbol, timeframe, nowMs } = options;
  const series = { exchange: exchange.id, symbol, timeframe };
  let parts = await ohlcvListParts(store, series);
  const windows = fetchWindows(ohlcvStoredRange(parts), timeframe, nowMs, options.initialLookbackDays, options.sinceMs);
  let buffer: Candle[] = [];

  const flush = async () => {
    if (buffer.length === 0) return;
    options.assertMayWrite();
    const result = await ohlcvWrite(store, series, buffer, parts);
    report.written += result.written;
    report.alreadyStored += result.alreadyStored;
    report.objectsWritten += result.objectsWritten;
    report.bytesWritten += result.bytesWritten;
    buffer = [];
    // The new parts' ranges are in their keys: no need to list the series again.
    parts = [...parts, ...result.keys.map(parseOhlcvPartKey).filter((p): p is PartRange => p !== undefined)];
  };

  for (const window of windows) {
    await pageWindow(exchange, symbol, timeframe, window, nowMs, report, async (candles) => {
      buffer.push(...candles);
      if (buffer.length >= options.flushEveryCandles) await flush();
    });
  }
  await flush();
  const stored = ohlcvStoredRange(parts);
  if (stored) report.lastStoredOpenTime = new Date(stored.lastMs).toISOString();
  return report;
}
