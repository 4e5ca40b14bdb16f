/** The sentiment job's source adapters: alternative.me, FRED and Binance USD-M, behind the ports of `../types.ts`. */
export { createFearGreedSource, type FearGreedOptions } from './fear-greed.ts';
export { createFredSource, type FredOptions } from './fred.ts';
export { createBinanceDerivativesSource, type BinanceDerivativesOptions } from './binance-derivatives.ts';
export { HTTP_DEFAULTS, type HttpSettings } from './http-json.ts';
export type { RetrySettings } from './retry.ts';
export { MalformedResponseError, SourceRejectedError, SourceUnavailableError, TransientSourceError, redact } from './errors.ts';
