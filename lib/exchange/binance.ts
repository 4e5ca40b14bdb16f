/**
 * The Binance adapter: ccxt's binance client with three additions — every REST base URL can
 * point elsewhere (tests, proxies, the offline stand-in), each response feeds the rate budget,
 * and the failures ccxt lumps together (429/418/451, garbled bodies) become typed errors.
 */
import ccxt, { type Market } from 'ccxt';
import type { Timeframe } from '../config/universe.ts';
import type { RawCandle } from '../candles/types.ts';
import { ExchangeUnreachableError, MalformedResponseError, RateLimitedError, RegionBlockedError } from './errors.ts';
import { RateBudget } from './rate-budget.ts';
import { withRetries } from './request-policy.ts';
import type { CandleExchange, MarketInfo, WeightReport } from './types.ts';

export interface BinanceOptions {
  /** Replaces scheme and host of every REST endpoint; paths are kept. */
  baseUrl?: string;
  timeoutMs: number;
  rateLimitShare: number;
  weightLimitPerMinute: number;
  ipWeightCeilingShare: number;
  maxTries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (error: Error, attempt: number) => void;
}

const DEFAULT_BASE_URL = 'https://api.binance.com';

/** Binance's documented request weights for the endpoints candlelake calls (spot, 2024 values). */
const REQUEST_WEIGHT: ReadonlyArray<[RegExp, number]> = [
  [/\/api\/v3\/klines$/, 2],
  [/\/api\/v3\/exchangeInfo$/, 20],
  [/\/fapi\/v1\/klines$/, 5],
  [/\/fapi\/v1\/exchangeInfo$/, 1],
];

function requestWeight(url: string): number {
  const path = new URL(url).pathname;
  return REQUEST_WEIGHT.find(([pattern]) => pattern.test(path))?.[1] ?? 1;
}

/**
 * Replaces the origin of every URL string in ccxt's `urls.api` tree.
 * @example rebaseApiUrls({ public: 'https://api.binance.com/api/v3' }, 'http://127.0.0.1:9000')
 * // { public: 'http://127.0.0.1:9000/api/v3' }
 */
export function rebaseApiUrls<T>(tree: T, baseUrl: string): T {
  const origin = new URL(baseUrl).origin;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const url = new URL(node);
      return origin + url.pathname.replace(/\/$/, '') + url.search;
    }
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value)]));
    }
    return node;
  };
  return visit(tree) as T;
}

function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const raw = headers['Retry-After'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

interface ResponseObserver {
  (status: number, url: string, headers: Record<string, string | undefined>, body: string): void;
}

/** ccxt's binance with a hook on every REST response. */
class ObservedBinance extends ccxt.binance {
  observer: ResponseObserver = () => undefined;

  override onRestResponse(
    statusCode: number,
    statusText: string,
    url: string,
    method: string,
    responseHeaders: Record<string, string | undefined>,
    responseBody: string,
    requestHeaders: unknown,
    requestBody: unknown,
  ): unknown {
    this.observer(statusCode, url, responseHeaders, responseBody);
    return super.onRestResponse(statusCode, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody);
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Creates the Binance spot adapter.
 * @example
 * const exchange = createBinanceExchange({ ...config.exchange });
 * const markets = await exchange.loadMarkets();
 */
export function createBinanceExchange(options: BinanceOptions): CandleExchange {
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  const client = new ObservedBinance({
    enableRateLimit: true,
    // ccxt's binance books 0.2 cost units per request weight at 50 ms per unit = the full 6,000/min;
    // stretching the unit time by 1/share keeps ccxt's own pacing at our share.
    rateLimit: 50 / options.rateLimitShare,
    timeout: options.timeoutMs,
    options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false },
  });
  if (options.baseUrl) {
    client.urls['api'] = rebaseApiUrls(client.urls['api'], options.baseUrl);
  }
  const budget = new RateBudget({
    weightLimitPerMinute: options.weightLimitPerMinute,
    share: options.rateLimitShare,
    ipCeilingShare: options.ipWeightCeilingShare,
    sleep: options.sleep,
  });
  const report: WeightReport = { weightUsed: 0, requests: 0, peakIpWeight1m: 0, retries: 0 };
  let regionBlocked: RegionBlockedError | undefined;

  client.observer = (status, url, headers, body) => {
    report.requests += 1;
    report.weightUsed += requestWeight(url);
    const used = Number(headers['X-Mbx-Used-Weight-1m'] ?? headers['X-Mbx-Used-Weight']);
    if (Number.isFinite(used)) {
      report.peakIpWeight1m = Math.max(report.peakIpWeight1m, used);
      budget.observeIpWeight(used);
    }
    if (status === 429 || status === 418) throw new RateLimitedError(status, retryAfterMs(headers), url);
    if (status === 451) {
      regionBlocked = new RegionBlockedError(baseUrl);
      throw regionBlocked;
    }
    if (status >= 200 && status < 300) {
      try {
        JSON.parse(body);
      } catch {
        throw new MalformedResponseError(url, body);
      }
    }
  };

  const policy = {
    maxTries: options.maxTries,
    retryBaseMs: options.retryBaseMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    budget,
    onRetry: (error: Error, attempt: number) => {
      report.retries += 1;
      options.onRetry?.(error, attempt);
    },
  };

  async function call<T>(weight: number, request: () => Promise<T>): Promise<T> {
    return withRetries(async () => {
      if (regionBlocked) throw regionBlocked;
      await budget.acquire(weight);
      return request();
    }, policy);
  }

  return {
    id: 'binance',
    pageLimit: 1000,
    async loadMarkets() {
      let markets: Record<string, Market>;
      try {
        markets = await call(20, () => client.loadMarkets(true));
      } catch (error) {
        if (error instanceof ccxt.NetworkError && !(error instanceof ccxt.RateLimitExceeded)) {
          throw new ExchangeUnreachableError(baseUrl, error.message.replace(/^binance GET \S+ /, ''));
        }
        throw error;
      }
      const out = new Map<string, MarketInfo>();
      for (const market of Object.values(markets)) {
        if (!market || !market.spot) continue;
        const info = market.info as Record<string, unknown>;
        out.set(market.symbol, {
          symbol: market.symbol,
          exchangeSymbol: market.id ?? market.symbol.replace('/', ''),
          base: market.base,
          quote: market.quote,
          status: typeof info['status'] === 'string' ? info['status'] : market.active ? 'TRADING' : 'UNKNOWN',
          active: market.active !== false,
          tickSize: numberOrUndefined(market.precision?.price),
          lotStep: numberOrUndefined(market.precision?.amount),
          minQty: numberOrUndefined(market.limits?.amount?.min),
          minNotional: numberOrUndefined(market.limits?.cost?.min),
        });
      }
      return out;
    },
    async fetchCandlePage(symbol: string, timeframe: Timeframe, sinceMs: number, limit: number): Promise<RawCandle[]> {
      const rows = await call(2, () => client.fetchOHLCV(symbol, timeframe, sinceMs, Math.min(limit, 1000)));
      return rows as RawCandle[];
    },
    weightReport: () => ({ ...report }),
  };
}
