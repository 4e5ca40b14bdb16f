/**
 * USD-M derivatives statistics endpoints: `/fapi/v1/fundingRate`, `/futures/data/openInterestHist`
 * and `/futures/data/globalLongShortAccountRatio`, perpetuals only, with Binance's paging:
 * - startTime given: entries at or after it, ascending, at most `limit`, up to endTime if given;
 * - otherwise: the last `limit` entries up to endTime (or now).
 * The statistics keep 30 days; an older startTime is refused with -1130, as on Binance.
 */
import { BinanceApiError, illegalCharacters, invalidParameter, invalidSymbol, missingParameter, startAfterEnd } from './errors.ts';
import {
  FUNDING_INTERVAL_MS,
  fundingRow,
  longShortRow,
  openInterestRow,
  STATS_KEPT_MS,
  STATS_PERIODS_MS,
} from './derivatives-data.ts';
import type { ResolvedMarket } from './markets.ts';
import type { Route, RouteDeps, RouteRequest } from './route.ts';
import { FUTURES_DATA_WEIGHTS } from './weights.ts';

const FUNDING_LIMITS = { default: 100, max: 1000 };
const STATS_LIMITS = { default: 30, max: 500 };

/**
 * The derivatives statistics routes, keyed by path.
 * @example futuresDataRoutes(deps).get('/fapi/v1/fundingRate')?.handle({ query: { symbol: 'BTCUSDT' }, nowMs: Date.now() })
 */
export function futuresDataRoutes(deps: RouteDeps): Map<string, Route> {
  const route = (weight: number, handle: (request: RouteRequest) => unknown): Route => ({
    bucket: 'futures',
    weight: () => weight,
    servesKlines: false,
    handle,
  });
  return new Map<string, Route>([
    [
      '/fapi/v1/fundingRate',
      route(FUTURES_DATA_WEIGHTS.fundingRate, ({ query, nowMs, emptyPage }) => {
        const market = perpetual(deps, query);
        const first = alignUp(market.listedAtMs, FUNDING_INTERVAL_MS);
        const times = selectTimes(query, first, alignDown(nowMs, FUNDING_INTERVAL_MS), FUNDING_INTERVAL_MS, FUNDING_LIMITS);
        return emptyPage ? [] : times.map((time) => fundingRow(market, time));
      }),
    ],
    [
      '/futures/data/openInterestHist',
      route(FUTURES_DATA_WEIGHTS.openInterestHist, (request) =>
        statsPage(deps, request, (market, time, periodMs) => openInterestRow(market, time, periodMs)),
      ),
    ],
    [
      '/futures/data/globalLongShortAccountRatio',
      route(FUTURES_DATA_WEIGHTS.globalLongShortAccountRatio, (request) =>
        statsPage(deps, request, (market, time, periodMs) => longShortRow(market, time, periodMs)),
      ),
    ],
  ]);
}

function statsPage<T>(deps: RouteDeps, { query, nowMs, emptyPage }: RouteRequest, row: (market: ResolvedMarket, time: number, periodMs: number) => T): T[] {
  const market = perpetual(deps, query);
  const period = query['period'];
  if (period === undefined || period === '') throw missingParameter('period');
  const periodMs = STATS_PERIODS_MS[period];
  if (periodMs === undefined) throw new BinanceApiError(400, -1130, "parameter 'period' is invalid.");
  const oldestMs = nowMs - STATS_KEPT_MS;
  const startTime = optionalTime(query, 'startTime');
  if (startTime !== undefined && startTime < oldestMs) throw new BinanceApiError(400, -1130, "parameter 'startTime' is invalid.");
  const first = alignUp(Math.max(oldestMs, market.listedAtMs), periodMs);
  const times = selectTimes(query, first, alignDown(nowMs, periodMs), periodMs, STATS_LIMITS);
  return emptyPage ? [] : times.map((time) => row(market, time, periodMs));
}

function perpetual(deps: RouteDeps, query: Record<string, string>): ResolvedMarket {
  const symbol = query['symbol'];
  if (symbol === undefined || symbol === '') throw missingParameter('symbol');
  const market = deps.markets.get(symbol);
  if (market === undefined || !market.perpetual) throw invalidSymbol();
  return market;
}

/** The entry times a page holds, given the first and last that exist. */
function selectTimes(
  query: Record<string, string>,
  firstMs: number,
  lastMs: number,
  stepMs: number,
  limits: { default: number; max: number },
): number[] {
  const startTime = optionalTime(query, 'startTime');
  const endTime = optionalTime(query, 'endTime');
  const limitText = query['limit'];
  const limit = limitText === undefined ? limits.default : Number(limitText);
  if (limitText !== undefined && !/^\d+$/.test(limitText)) throw illegalCharacters('limit');
  if (!(limit >= 1 && limit <= limits.max)) throw invalidParameter();
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw startAfterEnd();
  const to = Math.min(lastMs, alignDown(endTime ?? lastMs, stepMs));
  const times: number[] = [];
  if (startTime !== undefined) {
    for (let time = Math.max(firstMs, alignUp(startTime, stepMs)); time <= to && times.length < limit; time += stepMs) times.push(time);
    return times;
  }
  for (let time = to; time >= firstMs && times.length < limit; time -= stepMs) times.push(time);
  return times.reverse();
}

function optionalTime(query: Record<string, string>, name: string): number | undefined {
  const text = query[name];
  if (text === undefined) return undefined;
  if (!/^\d{1,20}$/.test(text)) throw illegalCharacters(name);
  return Number(text);
}

const alignDown = (timeMs: number, stepMs: number) => Math.floor(timeMs / stepMs) * stepMs;
const alignUp = (timeMs: number, stepMs: number) => Math.ceil(timeMs / stepMs) * stepMs;
