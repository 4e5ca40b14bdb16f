/**
 * The sentiment job's data and ports: the market's mood beside prices — the fear & greed index,
 * perpetual funding rates, open interest, the long/short account ratio, and macro series. Each
 * source is a port so the job runs the same against the real APIs and the loopback stand-ins.
 */

/** One day of alternative.me's Fear & Greed Index (0 = extreme fear, 100 = extreme greed). */
export interface FearGreedPoint {
  /** The day, 00:00 UTC. */
  dateMs: number;
  value: number;
  /** `Extreme Fear`, `Fear`, `Neutral`, `Greed`, `Extreme Greed`. */
  classification: string;
}

/** One funding event of a perpetual (Binance USD-M: every 8 h, some markets 4 h or 1 h). */
export interface FundingPoint {
  timeMs: number;
  /** The rate paid by longs to shorts for the interval (0.0001 = 0.01 %). */
  rate: number;
  markPrice: number | null;
}

/** Open interest of a perpetual at the end of one period. */
export interface OpenInterestPoint {
  timeMs: number;
  /** Contracts (base asset). */
  openInterest: number;
  /** In the quote asset. */
  openInterestValue: number;
}

/** Share of accounts long and short at the end of one period. */
export interface LongShortPoint {
  timeMs: number;
  ratio: number;
  longAccount: number;
  shortAccount: number;
}

/** One observation of a macro series (FRED); missing values (`.`) are left out. */
export interface MacroPoint {
  dateMs: number;
  value: number;
}

/** Periods the exchange offers for open interest and long/short history. */
export type StatsPeriod = '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '6h' | '12h' | '1d';

export interface FearGreedSource {
  /** Every point since `sinceMs` (inclusive), oldest first; the full history when undefined. */
  history(sinceMs?: number): Promise<FearGreedPoint[]>;
}

export interface DerivativesSource {
  /** The USDT-margined perpetual of a spot symbol (`BTC/USDT` → `BTC/USDT:USDT`), or undefined when it has none. */
  perpetualFor(symbol: string): Promise<string | undefined>;
  /** Funding events since `sinceMs`, oldest first (pages followed). */
  fundingHistory(perpetual: string, sinceMs: number): Promise<FundingPoint[]>;
  /** Open interest per period since `sinceMs`, oldest first (the exchange keeps about 30 days). */
  openInterestHistory(perpetual: string, period: StatsPeriod, sinceMs: number): Promise<OpenInterestPoint[]>;
  /** Long/short account ratio per period since `sinceMs`, oldest first (about 30 days kept). */
  longShortRatioHistory(perpetual: string, period: StatsPeriod, sinceMs: number): Promise<LongShortPoint[]>;
}

export interface MacroSource {
  /** Observations of a FRED series since `sinceMs` (inclusive), oldest first; all when undefined. */
  observations(seriesId: string, sinceMs?: number): Promise<MacroPoint[]>;
}
