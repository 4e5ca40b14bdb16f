/**
 * USD-M derivatives statistics: funding events (every 8 h), open interest and the global
 * long/short account ratio per period. Deterministic functions of symbol and time, stateless
 * like the candles, so any page can be computed on its own.
 */
import type { ResolvedMarket } from './markets.ts';

/** Funding is settled at 00:00, 08:00 and 16:00 UTC. */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;
/** Binance keeps open interest and long/short statistics this long. */
export const STATS_KEPT_MS = 30 * 86_400_000;
/** Funding entries before this carry an empty `markPrice`, as Binance's older ones do. */
export const MARK_PRICE_SINCE_MS = Date.UTC(2023, 8, 1);

/** Periods of the statistics endpoints. */
export const STATS_PERIODS_MS: Readonly<Record<string, number>> = {
  '5m': 5 * 60_000, '15m': 15 * 60_000, '30m': 30 * 60_000, '1h': 3_600_000, '2h': 7_200_000,
  '4h': 14_400_000, '6h': 21_600_000, '12h': 43_200_000, '1d': 86_400_000,
};

const DAY_MS = 86_400_000;

/** `/fapi/v1/fundingRate` row. */
export interface FundingRow {
  symbol: string;
  fundingTime: number;
  fundingRate: string;
  markPrice: string;
}

/** `/futures/data/openInterestHist` row. */
export interface OpenInterestRow {
  symbol: string;
  sumOpenInterest: string;
  sumOpenInterestValue: string;
  timestamp: number;
}

/** `/futures/data/globalLongShortAccountRatio` row. */
export interface LongShortRow {
  symbol: string;
  longShortRatio: string;
  longAccount: string;
  shortAccount: string;
  timestamp: number;
}

/**
 * The funding event at `timeMs` (a multiple of 8 h).
 * @example fundingRow(market, Date.UTC(2024, 5, 1, 8)).fundingRate // e.g. '0.00012345'
 */
export function fundingRow(market: ResolvedMarket, timeMs: number): FundingRow {
  const seed = seedOf(market.symbol);
  const wave = Math.sin((2 * Math.PI * timeMs) / (11 * DAY_MS) + phase(seed, 1));
  const rate = 0.0001 + 0.00025 * wave + (hash01(seed, timeMs / FUNDING_INTERVAL_MS, 1) - 0.5) * 0.0001;
  return {
    symbol: market.symbol,
    fundingTime: timeMs,
    fundingRate: rate.toFixed(8),
    markPrice: timeMs < MARK_PRICE_SINCE_MS ? '' : market.series.priceAt(timeMs).toFixed(8),
  };
}

/**
 * Open interest at the end of the period ending at `timeMs`.
 * @example openInterestRow(market, Date.UTC(2024, 5, 1)).sumOpenInterestValue
 */
export function openInterestRow(market: ResolvedMarket, timeMs: number, periodMs: number): OpenInterestRow {
  const seed = seedOf(market.symbol);
  const wave = Math.sin((2 * Math.PI * timeMs) / (9 * DAY_MS) + phase(seed, 2));
  const value = 2e8 * (1 + Math.log10(1 + market.basePrice)) * (1 + 0.25 * wave + (hash01(seed, timeMs / periodMs, 2) - 0.5) * 0.04);
  return {
    symbol: market.symbol,
    sumOpenInterest: (value / market.series.priceAt(timeMs)).toFixed(8),
    sumOpenInterestValue: value.toFixed(8),
    timestamp: timeMs,
  };
}

/**
 * Long and short account shares at the end of the period ending at `timeMs`.
 * @example Number(longShortRow(market, t, 3_600_000).longAccount) + Number(longShortRow(market, t, 3_600_000).shortAccount) // 1
 */
export function longShortRow(market: ResolvedMarket, timeMs: number, periodMs: number): LongShortRow {
  const seed = seedOf(market.symbol);
  const wave = Math.sin((2 * Math.PI * timeMs) / (5 * DAY_MS) + phase(seed, 3));
  const long = Math.round((0.5 + 0.12 * wave + (hash01(seed, timeMs / periodMs, 3) - 0.5) * 0.04) * 10_000) / 10_000;
  const short = Math.round((1 - long) * 10_000) / 10_000;
  return {
    symbol: market.symbol,
    longShortRatio: (long / short).toFixed(4),
    longAccount: long.toFixed(4),
    shortAccount: short.toFixed(4),
    timestamp: timeMs,
  };
}

function phase(seed: number, salt: number): number {
  return 2 * Math.PI * hash01(seed, 0, salt + 100);
}

function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function hash01(seed: number, index: number, salt: number): number {
  let h = seed ^ Math.imul(Math.floor(index) | 0, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
