/**
 * USD-M futures market-data endpoints under `/fapi/v1`: ping, time, exchangeInfo and klines.
 * Kept to what ccxt's `fetchMarkets(['linear'])` and `fetchOHLCV` on a perpetual call; the
 * candles are the spot series of the same symbol.
 */
import { futuresDecimals, futuresExchangeInfo } from './exchange-info.ts';
import { klinesPage, type KlinesFlavour } from './klines.ts';
import type { Route, RouteDeps } from './route.ts';
import { FUTURES_WEIGHTS, futuresKlinesWeight } from './weights.ts';

/** Futures klines: at most 1500 per page, amounts in the size's own decimals, perpetuals only. */
export const FUTURES_KLINES: KlinesFlavour = {
  maxLimit: 1500,
  amountDecimals: futuresDecimals,
  lists: (market) => market.perpetual,
};

const DEFAULT_KLINES_LIMIT = 500;

/**
 * The USD-M routes, keyed by path.
 * @example futuresRoutes(deps).get('/fapi/v1/klines')?.weight({ limit: '1000' }) // 5
 */
export function futuresRoutes(deps: RouteDeps): Map<string, Route> {
  const fixed = (weight: number) => () => weight;
  return new Map<string, Route>([
    ['/fapi/v1/ping', { bucket: 'futures', weight: fixed(FUTURES_WEIGHTS.ping), servesKlines: false, handle: () => ({}) }],
    [
      '/fapi/v1/time',
      { bucket: 'futures', weight: fixed(FUTURES_WEIGHTS.time), servesKlines: false, handle: ({ nowMs }) => ({ serverTime: nowMs }) },
    ],
    [
      '/fapi/v1/exchangeInfo',
      {
        bucket: 'futures',
        weight: fixed(FUTURES_WEIGHTS.exchangeInfo),
        servesKlines: false,
        handle: ({ nowMs }) => ({
          ...futuresExchangeInfo([...deps.markets.values()], nowMs, deps.weightLimitPerMinute),
          ...(deps.synthetic !== undefined ? { synthetic: deps.synthetic } : {}),
        }),
      },
    ],
    [
      '/fapi/v1/klines',
      {
        bucket: 'futures',
        // Weight follows the requested page size; a malformed limit is rejected later at the cheapest rate.
        weight: (query) => futuresKlinesWeight(Number(query['limit'] ?? DEFAULT_KLINES_LIMIT) || 1),
        servesKlines: true,
        handle: ({ query, nowMs, fault }) =>
          klinesPage(query, { markets: deps.markets, nowMs, isMissing: (s, t) => deps.gaps.isMissing(s, t) }, FUTURES_KLINES, fault),
      },
    ],
  ]);
}
