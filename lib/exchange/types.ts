/**
 * The exchange port: the narrow view of an exchange that candlelake's jobs need. Paging,
 * the rate budget and retries hide behind it.
 */
import type { Timeframe } from '../config/universe.ts';
import type { RawCandle } from '../candles/types.ts';

/** What candlelake keeps of a market's exchange metadata. */
export interface MarketInfo {
  /** Unified symbol, `BASE/QUOTE`. */
  symbol: string;
  /** The exchange's own id, e.g. `BTCUSDT`. */
  exchangeSymbol: string;
  base: string;
  quote: string;
  /** Exchange status string as sent (`TRADING`, `BREAK`, …). */
  status: string;
  active: boolean;
  /** Smallest price increment. */
  tickSize?: number;
  /** Smallest quantity increment (lot step). */
  lotStep?: number;
  minQty?: number;
  minNotional?: number;
}

/** Request weight bookkeeping for the run record. */
export interface WeightReport {
  /** Weight this client spent (sum of known endpoint weights). */
  weightUsed: number;
  requests: number;
  /** Highest `x-mbx-used-weight-1m` the exchange reported: the whole IP's use, live trader included. */
  peakIpWeight1m: number;
  retries: number;
}

export interface CandleExchange {
  /** ccxt id, e.g. `binance`. */
  readonly id: string;
  /** Largest page the exchange serves for one klines request. */
  readonly pageLimit: number;
  /** Spot markets by unified symbol. */
  loadMarkets(): Promise<Map<string, MarketInfo>>;
  /**
   * One page of candles starting at `sinceMs` (inclusive), oldest first, as the exchange sent
   * them: the current unfinished candle and bad rows included. Retries transient failures.
   */
  fetchCandlePage(symbol: string, timeframe: Timeframe, sinceMs: number, limit: number): Promise<RawCandle[]>;
  weightReport(): WeightReport;
}
