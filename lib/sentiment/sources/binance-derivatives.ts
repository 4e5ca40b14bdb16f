/**
 * Binance USD-M futures as a DerivativesSource, over ccxt's `binanceusdm`: funding history
 * (`/fapi/v1/fundingRate`), open interest (`/futures/data/openInterestHist`) and the global
 * long/short account ratio (`/futures/data/globalLongShortAccountRatio`), each paged until caught
 * up and de-duplicated by time. Base URLs can point elsewhere (the stand-in, a proxy); ccxt's
 * failures become the sources' typed errors and go through the shared retry policy.
 */
import ccxt, { type Market } from 'ccxt';
import { rebaseApiUrls } from '../../exchange/binance.ts';
import type { DerivativesSource, FundingPoint, LongShortPoint, OpenInterestPoint, StatsPeriod } from '../types.ts';
import { MalformedResponseError, redact, SourceRejectedError, TransientSourceError } from './errors.ts';
import { parseRetryAfter, withoutUndefined } from './http-json.ts';
import { withSourceRetries, type RetrySettings } from './retry.ts';
import { STATS_PERIOD_MS } from '../periods.ts';

/** Options of {@link createBinanceDerivativesSource}; every field has a default. */
export interface BinanceDerivativesOptions extends Partial<RetrySettings> {
  /** Replaces scheme and host of every REST endpoint; paths are kept. Default: Binance's own hosts. */
  baseUrl?: string;
  /** Per request. Default 15000. */
  timeoutMs?: number;
  /** Let ccxt pace requests by Binance's weights. Default true. */
  enableRateLimit?: boolean;
  /** Clock for the 30-day window of the statistics endpoints. Default `Date.now`. */
  now?: () => number;
}

const SOURCE = 'binance-usdm';
const DAY_MS = 86_400_000;
const FUNDING_PAGE_LIMIT = 1000;
const STATS_PAGE_LIMIT = 500;
/** Binance keeps open interest and long/short statistics for the last 30 days and refuses older `startTime`s. */
const STATS_KEPT_MS = 30 * DAY_MS;
/** Asks a little later than the edge of the window so a few minutes of clock skew are not refused. */
const STATS_EDGE_MARGIN_MS = 10 * 60_000;


const DEFAULTS = {
  timeoutMs: 15_000,
  maxTries: 4,
  retryBaseMs: 500,
  maxRetryAfterMs: 60_000,
  enableRateLimit: true,
  now: Date.now,
};

/** ccxt's binanceusdm with a hook on every REST response: 429/418 keep their Retry-After, garbled 200s are caught. */
class ObservedBinanceUsdm extends ccxt.binanceusdm {
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
    if (statusCode === 429 || statusCode === 418) {
      const retryAfterMs = parseRetryAfter(responseHeaders['Retry-After'] ?? responseHeaders['retry-after'] ?? null);
      const wait = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
      throw new TransientSourceError(SOURCE, `HTTP ${statusCode}${wait} at ${redact(url)}`, statusCode, retryAfterMs);
    }
    if (statusCode >= 200 && statusCode < 300) {
      try {
        JSON.parse(responseBody);
      } catch {
        // ccxt would otherwise report an unparseable page as an empty one.
        throw new MalformedResponseError(SOURCE, redact(url), 'not JSON', responseBody);
      }
    }
    return super.onRestResponse(statusCode, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody);
  }
}

/**
 * Creates the Binance USD-M derivatives source. Binance keeps open interest and long/short
 * statistics for 30 days only and refuses an older `startTime`, so those two reads clamp `sinceMs`
 * to `now − 30 days + 10 min` (the margin absorbs clock skew): anything older is silently not asked for.
 * @example
 * const derivatives = createBinanceDerivativesSource({ baseUrl: standIn.url });
 * const perpetual = await derivatives.perpetualFor('BTC/USDT'); // 'BTC/USDT:USDT'
 * const funding = perpetual && (await derivatives.fundingHistory(perpetual, Date.UTC(2024, 0, 1)));
 */
export function createBinanceDerivativesSource(options: BinanceDerivativesOptions = {}): DerivativesSource {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const client = new ObservedBinanceUsdm({
    enableRateLimit: settings.enableRateLimit,
    timeout: settings.timeoutMs,
    options: { fetchMarkets: { types: ['linear'] }, fetchCurrencies: false },
  });
  if (settings.baseUrl !== undefined) client.urls['api'] = rebaseApiUrls(client.urls['api'], settings.baseUrl);

  const call = <T>(request: () => Promise<T>): Promise<T> =>
    withSourceRetries(
      SOURCE,
      async () => {
        try {
          return await request();
        } catch (error) {
          throw mapCcxtError(error);
        }
      },
      settings,
    );

  let markets: Promise<Record<string, Market>> | undefined;
  const loadMarkets = (): Promise<Record<string, Market>> => {
    markets ??= call(() => client.loadMarkets()).catch((error: unknown) => {
      markets = undefined; // a failed load is tried again on the next call
      throw error;
    });
    return markets;
  };

  /** The earliest `startTime` the statistics endpoints accept, from our clock. */
  const statsSince = (sinceMs: number) => Math.max(sinceMs, settings.now() - STATS_KEPT_MS + STATS_EDGE_MARGIN_MS);

  /**
   * Pages a statistics endpoint in windows of `STATS_PAGE_LIMIT` periods from `sinceMs`:
   * after a page the next window starts just after its last point, after an empty one at the
   * window's end; done once the window starts after now.
   */
  async function pageStats<T extends { timeMs: number }>(
    period: StatsPeriod,
    sinceMs: number,
    fetchWindow: (startMs: number, endMs: number) => Promise<T[]>,
  ): Promise<T[]> {
    const periodMs = STATS_PERIOD_MS[period];
    if (periodMs === undefined) throw new Error(`unknown period ${JSON.stringify(period)}`);
    const byTime = new Map<number, T>();
    let cursor = statsSince(sinceMs);
    while (cursor <= settings.now()) {
      const endMs = cursor + periodMs * STATS_PAGE_LIMIT;
      const rows = (await fetchWindow(cursor, endMs)).filter((row) => row.timeMs >= cursor);
      for (const row of rows) byTime.set(row.timeMs, row);
      const last = rows.reduce((max, row) => Math.max(max, row.timeMs), -Infinity);
      cursor = rows.length > 0 ? last + 1 : endMs + 1;
    }
    return [...byTime.values()].sort((a, b) => a.timeMs - b.timeMs);
  }

  return {
    async perpetualFor(symbol: string): Promise<string | undefined> {
      const [base, quote] = symbol.split('/');
      if (!base || !quote || quote.includes(':')) return undefined;
      const perpetual = `${base}/${quote}:${quote}`;
      const market = (await loadMarkets())[perpetual];
      if (market === undefined || !market.swap || market.linear === false || market.active === false) return undefined;
      const contractType = (market.info as Record<string, unknown> | undefined)?.['contractType'];
      return contractType === undefined || contractType === 'PERPETUAL' ? perpetual : undefined;
    },

    async fundingHistory(perpetual: string, sinceMs: number): Promise<FundingPoint[]> {
      await loadMarkets();
      const byTime = new Map<number, FundingPoint>();
      let cursor = sinceMs;
      for (;;) {
        const page = await call(() => client.fetchFundingRateHistory(perpetual, cursor, FUNDING_PAGE_LIMIT));
        let last = -Infinity;
        for (const entry of page) {
          const info = (entry.info ?? {}) as Record<string, unknown>;
          const timeMs = entry.timestamp ?? Number(info['fundingTime']);
          const rate = entry.fundingRate ?? Number(info['fundingRate']);
          if (!Number.isFinite(timeMs) || !Number.isFinite(rate)) {
            throw new MalformedResponseError(SOURCE, '/fapi/v1/fundingRate', 'funding entry without time or rate', JSON.stringify(info));
          }
          if (timeMs >= sinceMs) byTime.set(timeMs, { timeMs, rate, markPrice: optionalNumber(info['markPrice']) });
          last = Math.max(last, timeMs);
        }
        if (page.length < FUNDING_PAGE_LIMIT || last < cursor) break;
        cursor = last + 1;
      }
      return [...byTime.values()].sort((a, b) => a.timeMs - b.timeMs);
    },

    async openInterestHistory(perpetual: string, period: StatsPeriod, sinceMs: number): Promise<OpenInterestPoint[]> {
      await loadMarkets();
      return pageStats(period, sinceMs, async (startMs, endMs) => {
        const rows = await call(() => client.fetchOpenInterestHistory(perpetual, period, startMs, STATS_PAGE_LIMIT, { until: endMs }));
        return rows.map((row) => {
          const info = (row.info ?? {}) as Record<string, unknown>;
          const point = {
            timeMs: row.timestamp ?? Number(info['timestamp']),
            openInterest: row.openInterestAmount ?? Number(info['sumOpenInterest']),
            openInterestValue: row.openInterestValue ?? Number(info['sumOpenInterestValue']),
          };
          if (!Object.values(point).every(Number.isFinite)) {
            throw new MalformedResponseError(SOURCE, '/futures/data/openInterestHist', 'entry with missing numbers', JSON.stringify(info));
          }
          return point;
        });
      });
    },

    async longShortRatioHistory(perpetual: string, period: StatsPeriod, sinceMs: number): Promise<LongShortPoint[]> {
      await loadMarkets();
      return pageStats(period, sinceMs, async (startMs, endMs) => {
        // ccxt ≥ 4.4 has the unified method; its parsed entries drop the account shares, so read `info`.
        const rows = await call(() => client.fetchLongShortRatioHistory(perpetual, period, startMs, STATS_PAGE_LIMIT, { until: endMs }));
        return rows.map((row) => {
          const info = (row.info ?? {}) as Record<string, unknown>;
          const point = {
            timeMs: row.timestamp ?? Number(info['timestamp']),
            ratio: row.longShortRatio ?? Number(info['longShortRatio']),
            longAccount: Number(info['longAccount']),
            shortAccount: Number(info['shortAccount']),
          };
          if (!Object.values(point).every(Number.isFinite)) {
            throw new MalformedResponseError(
              SOURCE, '/futures/data/globalLongShortAccountRatio', 'entry with missing numbers', JSON.stringify(info),
            );
          }
          return point;
        });
      });
    },
  };
}

/** ccxt's failures as the sources' errors: network trouble and 5xx are transient, the rest rejections. */
function mapCcxtError(error: unknown): Error {
  if (error instanceof TransientSourceError || error instanceof MalformedResponseError || error instanceof SourceRejectedError) return error;
  if (error instanceof ccxt.NetworkError) {
    return new TransientSourceError(SOURCE, redact(error.message), undefined, undefined, { cause: error });
  }
  if (error instanceof ccxt.BaseError) {
    // ccxt keeps no status on its errors; its BadRequest family comes from HTTP 400 answers (or a symbol it does not know).
    const status = error instanceof ccxt.BadRequest ? 400 : 0;
    return new SourceRejectedError(SOURCE, status, redact(error.message));
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Binance writes an unknown mark price as `""` on older funding entries. */
function optionalNumber(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
