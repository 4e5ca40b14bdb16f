/**
 * The klines endpoint shared by spot (`/api/v3/klines`) and USD-M futures (`/fapi/v1/klines`):
 * parameter checks in Binance's order, the paging rules, the row layout, and the two
 * row-level faults (corrupted rows, overlapping pages) that only make sense for klines.
 *
 * Paging, as Binance does it:
 * - startTime given: candles with openTime >= startTime, ascending, at most `limit`, openTime <= endTime if given;
 * - only endTime: the last `limit` candles with openTime <= endTime;
 * - neither: the last `limit` candles, ending with the current, unfinished one.
 */
import { formatMultiple, type DecimalUnit } from './decimals.ts';
import {
  illegalCharacters,
  invalidInterval,
  invalidParameter,
  invalidSymbol,
  missingParameter,
  startAfterEnd,
} from './errors.ts';
import { alignDown, alignUp, INTERVALS_MS, type Candle, type SeriesView } from './market-data.ts';
import type { ResolvedMarket } from './markets.ts';
import type { FaultAction, MalformedRowKind } from './types.ts';

/** One row as Binance sends it: numbers for times and trade count, strings for amounts. */
export type KlineRow = [
  openTime: number,
  open: string,
  high: string,
  low: string,
  close: string,
  volume: string,
  closeTime: number,
  quoteVolume: string,
  trades: number,
  takerBuyBase: string,
  takerBuyQuote: string,
  ignore: string,
];

/** The faults a klines handler applies itself. */
export type KlinesFault = Extract<FaultAction, { type: 'malformed-rows' | 'overlap' }>;

/** How one API flavour serves klines. */
export interface KlinesFlavour {
  /** Spot caps `limit` at 1000, USD-M futures at 1500. */
  maxLimit: number;
  /** Spot pads amounts to 8 decimals ("60000.01000000"); futures writes the tick's own decimals. */
  amountDecimals: (unit: DecimalUnit) => number;
  /** Futures only lists perpetual markets. */
  lists: (market: ResolvedMarket) => boolean;
}

/** Everything a klines request reads besides its query. */
export interface KlinesContext {
  markets: ReadonlyMap<string, ResolvedMarket>;
  nowMs: number;
  isMissing: (symbol: string, openTimeMs: number) => boolean;
}

interface PageRange {
  startTime?: number;
  endTime?: number;
  limit: number;
}

const DEFAULT_LIMIT = 500;
/** Shift applied by the `misaligned-time` corruption: inside the candle, on no interval boundary. */
const MISALIGN_MS = 37_000;

/**
 * Answers one klines request with rows, or throws a `BinanceApiError`.
 * @example klinesPage({ symbol: 'BTCUSDT', interval: '1h', limit: '3' }, context, SPOT_KLINES)
 */
export function klinesPage(query: Record<string, string>, context: KlinesContext, flavour: KlinesFlavour, fault?: KlinesFault): KlineRow[] {
  const symbol = nonEmpty(query, 'symbol');
  const interval = nonEmpty(query, 'interval');
  const intervalMs = INTERVALS_MS[interval];
  if (intervalMs === undefined) throw invalidInterval();
  const market = context.markets.get(symbol);
  if (market === undefined || !flavour.lists(market)) throw invalidSymbol();
  const range: PageRange = {
    startTime: optionalInteger(query, 'startTime'),
    endTime: optionalInteger(query, 'endTime'),
    limit: optionalInteger(query, 'limit') ?? DEFAULT_LIMIT,
  };
  if (range.limit < 1 || range.limit > flavour.maxLimit) throw invalidParameter();
  if (range.startTime !== undefined && range.endTime !== undefined && range.startTime > range.endTime) throw startAfterEnd();

  const view: SeriesView = { nowMs: context.nowMs, isMissing: (openTime) => context.isMissing(symbol, openTime) };
  let candles = selectCandles(market, intervalMs, range, view);
  if (fault?.type === 'overlap') {
    const anchor = candles[0]?.openTime ?? alignUp(range.startTime ?? context.nowMs, intervalMs);
    candles = selectCandles(market, intervalMs, { ...range, startTime: anchor - fault.candles * intervalMs }, view);
  }
  const rows = candles.map((candle) => klineRow(candle, market, flavour));
  if (fault?.type === 'malformed-rows') corruptRows(rows, fault.rows, market, flavour);
  return rows;
}

/**
 * The candles of one page, oldest first, following Binance's paging rules (see the module comment).
 * @example selectCandles(market, 3_600_000, { startTime: Date.UTC(2024, 0, 1), limit: 24 }, view)
 */
export function selectCandles(market: ResolvedMarket, intervalMs: number, range: PageRange, view: SeriesView): Candle[] {
  const first = market.series.firstOpenTime(intervalMs);
  const lastByNow = alignDown(view.nowMs, intervalMs);
  const last = range.endTime === undefined ? lastByNow : Math.min(lastByNow, alignDown(range.endTime, intervalMs));
  const candles: Candle[] = [];
  if (range.startTime !== undefined) {
    for (let t = Math.max(first, alignUp(range.startTime, intervalMs)); t <= last && candles.length < range.limit; t += intervalMs) {
      const candle = market.series.candle(intervalMs, t, view);
      if (candle !== undefined) candles.push(candle);
    }
    return candles;
  }
  for (let t = last; t >= first && candles.length < range.limit; t -= intervalMs) {
    const candle = market.series.candle(intervalMs, t, view);
    if (candle !== undefined) candles.push(candle);
  }
  return candles.reverse();
}

/**
 * One candle in Binance's row layout.
 * @example klineRow(candle, market, SPOT_KLINES)[1] // '60000.01000000'
 */
export function klineRow(candle: Candle, market: ResolvedMarket, flavour: KlinesFlavour): KlineRow {
  const price = (ticks: number) => formatMultiple(ticks, market.tick, flavour.amountDecimals(market.tick));
  const quantity = (steps: number) => formatMultiple(steps, market.step, flavour.amountDecimals(market.step));
  return [
    candle.openTime,
    price(candle.openTicks),
    price(candle.highTicks),
    price(candle.lowTicks),
    price(candle.closeTicks),
    quantity(candle.volumeSteps),
    candle.closeTime,
    candle.quoteVolume.toFixed(8),
    candle.trades,
    quantity(candle.takerBuySteps),
    candle.takerBuyQuote.toFixed(8),
    '0',
  ];
}

/** Corrupts row i with kind i, in place; kinds beyond the page length are dropped. */
function corruptRows(rows: KlineRow[], kinds: readonly MalformedRowKind[], market: ResolvedMarket, flavour: KlinesFlavour): void {
  kinds.forEach((kind, index) => {
    const row = rows[index];
    if (row === undefined) return;
    switch (kind) {
      case 'non-numeric':
        row[4] = 'n/a';
        break;
      case 'high-below-low': {
        const lowTicks = Math.round(Number(row[3]) / market.tick.value);
        const highTicks = Math.max(0, lowTicks - Math.max(1, Math.round(lowTicks * 0.01)));
        row[2] = formatMultiple(highTicks, market.tick, flavour.amountDecimals(market.tick));
        break;
      }
      case 'negative-volume':
        row[5] = `-${row[5]}`;
        break;
      case 'misaligned-time':
        row[0] += MISALIGN_MS;
        row[6] += MISALIGN_MS;
        break;
    }
  });
}

function nonEmpty(query: Record<string, string>, name: string): string {
  const value = query[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

function optionalInteger(query: Record<string, string>, name: string): number | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,20}$/.test(value)) throw illegalCharacters(name);
  return Number(value);
}
