/**
 * The contract between the server and its routes: a route declares its weight and whether it
 * serves klines, and turns a query into a JSON payload (or throws a `BinanceApiError`). The
 * server owns everything else: recording, weight, faults, headers.
 */
import type { GapStore } from './gaps.ts';
import type { KlinesFault } from './klines.ts';
import type { ResolvedMarket } from './markets.ts';
import type { WeightBucket } from './weights.ts';

/** Binance's content type on every JSON answer. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** One HTTP answer before it is written; the server adds the weight headers. */
export interface HttpReply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** What a route sees of one request. */
export interface RouteRequest {
  query: Record<string, string>;
  /** Market time of this request. */
  nowMs: number;
  /** A row-level fault to apply; only given to routes with `servesKlines`. */
  fault?: KlinesFault;
  /** True under an `empty-page` fault: answer a well-formed page without rows (routes that page; klines ignore it). */
  emptyPage?: boolean;
}

/** One endpoint. */
export interface Route {
  bucket: WeightBucket;
  weight(query: Record<string, string>): number;
  servesKlines: boolean;
  /** The JSON payload of a 200 answer. */
  handle(request: RouteRequest): unknown;
}

/** What routes read, shared by the whole stand-in. */
export interface RouteDeps {
  markets: ReadonlyMap<string, ResolvedMarket>;
  gaps: GapStore;
  weightLimitPerMinute: number;
  /** When set, exchangeInfo carries it as a top-level `synthetic` field (ccxt ignores it). */
  synthetic?: string;
}

/**
 * A JSON answer.
 * @example jsonReply(200, { serverTime: 1718000000000 })
 */
export function jsonReply(status: number, payload: unknown): HttpReply {
  return { status, body: JSON.stringify(payload), contentType: JSON_CONTENT_TYPE };
}
