/**
 * Types of the Binance stand-in: the markets it lists, its options, the handle a test holds,
 * and the fault and gap rules a test uses to make the exchange misbehave.
 */
import type { FaultRuleOf, RuleController, RuleHandle } from '../shared/rule-registry.ts';

/** One market the stand-in lists, described with Binance's own filter values. */
export interface StandInMarket {
  /** Exchange id, e.g. `'BTCUSDT'`. */
  symbol: string;
  /** Base asset, e.g. `'BTC'`. */
  base: string;
  /** Quote asset, e.g. `'USDT'`. */
  quote: string;
  /** `'BREAK'` is how Binance shows a delisted or halted pair. Default `'TRADING'`. */
  status?: 'TRADING' | 'BREAK';
  /** PRICE_FILTER tick size as Binance writes it, e.g. `'0.01'`. */
  tickSize: string;
  /** LOT_SIZE step size, e.g. `'0.00001'`. */
  stepSize: string;
  /** NOTIONAL filter minimum in quote units, e.g. `'5'`. */
  minNotional: string;
  /** Rough price level of the synthetic series, in quote units. */
  basePrice: number;
  /** No candles before this. Default `Date.UTC(2019, 0, 1)`. */
  listedAtMs?: number;
  /** Also listed on USD-M futures as a PERPETUAL. Default true. */
  perpetual?: boolean;
}

/** Options of {@link BinanceStandIn}; every field has a default. */
export interface BinanceStandInOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Default: `defaultStandInMarkets()`. */
  markets?: StandInMarket[];
  /** Market time in ms: what "now" is for candles and server time. Default `Date.now`. */
  now?: () => number;
  /** REQUEST_WEIGHT budget per wall-clock minute and API (spot, futures). Default 6000. */
  weightLimitPerMinute?: number;
  /**
   * Synthetic price model: `'waves'` (default; the suite's data) or `'garch'` (volatility
   * clustering, regimes, fat tails; what the demo serves, labelled `synthetic` in exchangeInfo).
   */
  priceModel?: 'waves' | 'garch';
  /** Seed of the `'garch'` model, combined with each symbol. Default 1. */
  seed?: number;
}

/** One request as the stand-in saw it. */
export interface RecordedRequest {
  method: string;
  /** URL path without the query, e.g. `'/api/v3/klines'`. */
  path: string;
  /** Query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** HTTP status answered; 0 while still pending, or when the client left before the answer (a stall). */
  status: number;
  /** Wall-clock arrival time. */
  atMs: number;
}

/** A span of missing 15m candles: an exchange outage. */
export interface GapRange {
  /** Exchange id; omitted means every symbol. */
  symbol?: string;
  /** 15m candles whose openTime is in `[fromMs, toMs)` do not exist. */
  fromMs: number;
  toMs: number;
}

/** Adds and removes exchange-side candle gaps. */
export interface GapController {
  add(gap: GapRange): void;
  clear(): void;
}

/** The ways a klines row can be corrupted by a `malformed-rows` fault. */
export type MalformedRowKind = 'non-numeric' | 'high-below-low' | 'negative-volume' | 'misaligned-time';

/** What a fault does to the requests it matches. */
export type FaultAction =
  /** Answer with this status instead; default bodies are Binance's own for 429/418/451 and a load balancer's page otherwise. */
  | { type: 'status'; status: number; retryAfterSec?: number; body?: string }
  /** Hold the response this long, then answer normally. */
  | { type: 'stall'; ms: number }
  /** Answer 200 with a truncated, unparseable JSON body. */
  | { type: 'malformed-body' }
  /** Answer a well-formed page without rows (the derivatives statistics routes; klines answer normally). */
  | { type: 'empty-page' }
  /** Klines only: corrupt one row per listed kind (row 0 gets the first kind, row 1 the second...). */
  | { type: 'malformed-rows'; rows: MalformedRowKind[] }
  /** Klines only: the page starts `candles` candles earlier than asked (an overlapping page). */
  | { type: 'overlap'; candles: number };

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /** Exact URL path, or a pattern tested against it. */
  path?: string | RegExp;
  /** The `symbol` query parameter. */
  symbol?: string;
  /** The `interval` query parameter. */
  interval?: string;
}

/** One injected misbehaviour. */
export type FaultRule = FaultRuleOf<FaultMatch, FaultAction>;

/** A rule once added: how much of it is left, and a way to take it back. */
export type FaultHandle = RuleHandle;

/**
 * Injects faults. Rules are checked in insertion order; the first matching rule with
 * `remaining() > 0` applies and is decremented.
 */
export type FaultController = RuleController<FaultRule>;

/** A running stand-in, as returned by `startBinanceStandIn`. */
export interface BinanceStandIn {
  /** Origin to put in place of `https://api.binance.com` and friends, e.g. `'http://127.0.0.1:43121'`. */
  url: string;
  faults: FaultController;
  gaps: GapController;
  /** Every request in arrival order, faulted ones included. */
  requests: RecordedRequest[];
  /** Replaces the market clock. */
  setNow(now: () => number): void;
  /** Stops listening and drops open connections, stalled ones included. */
  close(): Promise<void>;
}
