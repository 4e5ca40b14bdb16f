/** Spot market-data endpoints under `/api/v3`: ping, time, exchangeInfo and klines. */
import { illegalCharacters, invalidCombination, invalidSymbol, missingParameter } from './errors.ts';
import { spotDecimals, spotExchangeInfo } from './exchange-info.ts';
import { klinesPage, type KlinesFlavour } from './klines.ts';
import type { ResolvedMarket } from './markets.ts';
import type { Route, RouteDeps } from './route.ts';
import { SPOT_WEIGHTS } from './weights.ts';

/** Spot klines: at most 1000 per page, amounts padded to 8 decimals, every market listed. */
export const SPOT_KLINES: KlinesFlavour = { maxLimit: 1000, amountDecimals: spotDecimals, lists: () => true };

const SYMBOLS_PATTERN = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';

/**
 * The spot routes, keyed by path.
 * @example spotRoutes(deps).get('/api/v3/klines')?.weight({}) // 2
 */
export function spotRoutes(deps: RouteDeps): Map<string, Route> {
  const fixed = (weight: number) => () => weight;
  return new Map<string, Route>([
    ['/api/v3/ping', { bucket: 'spot', weight: fixed(SPOT_WEIGHTS.ping), servesKlines: false, handle: () => ({}) }],
    [
      '/api/v3/time',
      { bucket: 'spot', weight: fixed(SPOT_WEIGHTS.time), servesKlines: false, handle: ({ nowMs }) => ({ serverTime: nowMs }) },
    ],
    [
      '/api/v3/exchangeInfo',
      {
        bucket: 'spot',
        weight: fixed(SPOT_WEIGHTS.exchangeInfo),
        servesKlines: false,
        handle: ({ query, nowMs }) => ({
          ...spotExchangeInfo(requestedMarkets(query, deps.markets), nowMs, deps.weightLimitPerMinute),
          ...(deps.synthetic !== undefined ? { synthetic: deps.synthetic } : {}),
        }),
      },
    ],
    [
      '/api/v3/klines',
      {
        bucket: 'spot',
        weight: fixed(SPOT_WEIGHTS.klines),
        servesKlines: true,
        handle: ({ query, nowMs, fault }) =>
          klinesPage(query, { markets: deps.markets, nowMs, isMissing: (s, t) => deps.gaps.isMissing(s, t) }, SPOT_KLINES, fault),
      },
    ],
  ]);
}

/** Applies the `symbol` / `symbols` filters of exchangeInfo; an unknown name fails the whole request. */
function requestedMarkets(query: Record<string, string>, markets: ReadonlyMap<string, ResolvedMarket>): ResolvedMarket[] {
  const single = query['symbol'];
  const list = query['symbols'];
  if (single !== undefined && list !== undefined) throw invalidCombination();
  if (single === undefined && list === undefined) return [...markets.values()];
  const names = single !== undefined ? [single] : parseSymbolList(list ?? '');
  return names.map((name) => {
    const market = markets.get(name);
    if (market === undefined) throw invalidSymbol();
    return market;
  });
}

function parseSymbolList(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw illegalCharacters('symbols', SYMBOLS_PATTERN);
  }
  if (!Array.isArray(parsed) || !parsed.every((name): name is string => typeof name === 'string')) {
    throw illegalCharacters('symbols', SYMBOLS_PATTERN);
  }
  if (parsed.length === 0) throw missingParameter('symbols');
  return parsed;
}
