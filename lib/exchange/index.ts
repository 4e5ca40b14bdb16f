/** The exchange port and its Binance adapter. */
export type { CandleExchange, MarketInfo, WeightReport } from './types.ts';
export { createBinanceExchange, rebaseApiUrls, type BinanceOptions } from './binance.ts';
export { ExchangeUnreachableError, MalformedResponseError, RateLimitedError, RegionBlockedError } from './errors.ts';
export { RateBudget } from './rate-budget.ts';
export { exchangeFromConfig } from './from-config.ts';
