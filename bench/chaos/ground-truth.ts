/**
 * Loss is measured against ground truth, never against the job's own report: every candle the
 * Binance stand-in serves for a window is fetched straight from its HTTP API (plain fetch, not
 * the ccxt client under test, with no fault rule active) and compared with every candle the
 * lake's readers return, value by value.
 */
import { alignUp, lastClosedOpenTime, timeframeMs } from '../../lib/candles/timeframe.ts';
import type { Timeframe } from '../../lib/config/universe.ts';
import { ohlcvReadSeries } from '../../lib/lake/ohlcv-store.ts';
import type { ObjectStore } from '../../lib/object-store/types.ts';
import type { ScenarioOutcome } from './types.ts';

export interface SeriesWindow {
  symbol: string;
  timeframe: Timeframe;
  /** The first open time the lake must hold (aligned up to the timeframe here). */
  fromMs: number;
  /** Candles up to the last one closed at this instant must be stored. */
  closedAtMs: number;
}

export interface CandleAudit {
  /** Candles the exchange serves in the windows. */
  expected: number;
  /** Rows the lake's reader returned inside the windows. */
  stored: number;
  /** Expected candles absent from the lake. */
  missing: number;
  /** Open times the reader returned more than once. */
  duplicates: number;
  /** Stored candles whose open, high, low, close or volume differ from the exchange's. */
  mismatched: number;
  /** Stored candles the exchange does not serve (invented, or misaligned). */
  extra: number;
  /** missing + mismatched + extra: candles a reader would get wrong. */
  lost: number;
  firstProblem?: string;
}

type Row = [number, number, number, number, number, number];

/**
 * The stand-in's candles for one window, paged 1,000 at a time.
 * @example await exchangeCandles(standIn.url, 'BTC/USDT', '1h', fromMs, toMs)
 */
export async function exchangeCandles(baseUrl: string, symbol: string, timeframe: Timeframe, fromMs: number, toMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  let start = fromMs;
  while (start <= toMs) {
    const query = new URLSearchParams({ symbol: symbol.replace('/', ''), interval: timeframe, startTime: String(start), endTime: String(toMs), limit: '1000' });
    const response = await fetch(`${baseUrl}/api/v3/klines?${query}`);
    if (!response.ok) throw new Error(`ground truth: klines ${symbol} ${timeframe} answered ${response.status}`);
    const page = (await response.json()) as Array<[number, string, string, string, string, string]>;
    for (const k of page) rows.push([k[0], Number(k[1]), Number(k[2]), Number(k[3]), Number(k[4]), Number(k[5])]);
    if (page.length < 1000) break;
    start = page[page.length - 1]![0] + timeframeMs(timeframe);
  }
  return rows;
}

/**
 * Compares the lake with the exchange over each window.
 * @example const audit = await auditCandles(store, standIn.url, [{ symbol: 'BTC/USDT', timeframe: '1h', fromMs, closedAtMs: Date.now() }]);
 */
export async function auditCandles(store: ObjectStore, baseUrl: string, windows: readonly SeriesWindow[]): Promise<CandleAudit> {
  const audit: CandleAudit = { expected: 0, stored: 0, missing: 0, duplicates: 0, mismatched: 0, extra: 0, lost: 0 };
  const note = (text: string) => (audit.firstProblem ??= text);
  for (const w of windows) {
    const from = alignUp(w.fromMs, w.timeframe);
    const to = lastClosedOpenTime(w.closedAtMs, w.timeframe);
    const truth = await exchangeCandles(baseUrl, w.symbol, w.timeframe, from, to);
    const lake = await ohlcvReadSeries(store, { exchange: 'binance', symbol: w.symbol, timeframe: w.timeframe });
    const byTime = new Map<number, number[]>();
    for (let i = 0; i < lake.openTimeMs.length; i += 1) {
      const t = lake.openTimeMs[i]!;
      if (t < from || t > to) continue;
      audit.stored += 1;
      const seen = byTime.get(t);
      if (seen) {
        audit.duplicates += 1;
        note(`${w.symbol} ${w.timeframe} ${new Date(t).toISOString()} stored twice`);
        continue;
      }
      byTime.set(t, [lake.open[i]!, lake.high[i]!, lake.low[i]!, lake.close[i]!, lake.volume[i]!]);
    }
    audit.expected += truth.length;
    const truthTimes = new Set<number>();
    for (const [t, ...values] of truth) {
      truthTimes.add(t);
      const stored = byTime.get(t);
      if (!stored) {
        audit.missing += 1;
        note(`${w.symbol} ${w.timeframe} ${new Date(t).toISOString()} missing`);
      } else if (stored.some((v, i) => v !== values[i])) {
        audit.mismatched += 1;
        note(`${w.symbol} ${w.timeframe} ${new Date(t).toISOString()} differs: lake ${stored.join(',')} exchange ${values.join(',')}`);
      }
    }
    for (const t of byTime.keys()) {
      if (!truthTimes.has(t)) {
        audit.extra += 1;
        note(`${w.symbol} ${w.timeframe} ${new Date(t).toISOString()} not served by the exchange`);
      }
    }
  }
  audit.lost = audit.missing + audit.mismatched + audit.extra;
  return audit;
}

/**
 * The loss fields of a scenario's outcome from a candle audit; `alsoLost` adds what the scenario
 * found wrong itself (a half write seen right after a kill).
 * @example return { ...outcomeFields, ...candleLoss(audit, halfWritten), notes };
 */
export function candleLoss(audit: CandleAudit, alsoLost = 0): Pick<ScenarioOutcome, 'lost' | 'duplicates' | 'unit' | 'checked'> {
  return { lost: audit.lost + alsoLost, duplicates: audit.duplicates, unit: 'candles', checked: audit.expected };
}
