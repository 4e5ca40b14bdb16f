/**
 * Checks the configured universe against what the exchange lists. A symbol it never listed is
 * a configuration error (nothing is touched); one it listed once but no longer trades is a
 * per-symbol failure, so one delisting never stops the other 59 symbols.
 */
import { ConfigError } from '../config/errors.ts';
import type { MarketInfo } from '../exchange/types.ts';

export interface ResolvedUniverse {
  tradable: string[];
  delisted: Array<{ symbol: string; reason: string }>;
}

/**
 * @param storedSymbols symbols the lake already has data for (a symbol gone from the listing
 *   with stored history was delisted; one with none was a typo)
 * @example resolveUniverse(['BTC/USDT'], markets, new Set()) // { tradable: ['BTC/USDT'], delisted: [] }
 */
export function resolveUniverse(
  symbols: readonly string[],
  markets: ReadonlyMap<string, MarketInfo>,
  storedSymbols: ReadonlySet<string>,
  exchangeId = 'binance',
): ResolvedUniverse {
  const tradable: string[] = [];
  const delisted: ResolvedUniverse['delisted'] = [];
  const unknown: string[] = [];
  for (const symbol of symbols) {
    const market = markets.get(symbol);
    if (!market) {
      if (storedSymbols.has(symbol)) delisted.push({ symbol, reason: `delisted: ${exchangeId} no longer lists ${symbol}` });
      else unknown.push(symbol);
    } else if (!market.active) {
      delisted.push({ symbol, reason: `delisted: ${exchangeId} status ${market.status} for ${symbol}` });
    } else {
      tradable.push(symbol);
    }
  }
  if (unknown.length > 0) {
    throw new ConfigError(
      `Invalid configuration: universe.symbols: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not listed on ${exchangeId} spot`,
      ['universe.symbols'],
    );
  }
  return { tradable, delisted };
}
