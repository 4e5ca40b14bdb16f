/**
 * Timeframe arithmetic. Pure functions: every alignment rule candlelake uses lives here,
 * so "closed candle" means the same thing to the update job, the validator and the backtest.
 */
import type { Timeframe } from '../config/universe.ts';

const MINUTE_MS = 60_000;

const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '15m': 15 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

/**
 * Length of one candle in milliseconds.
 * @example timeframeMs('1h') // 3_600_000
 */
export function timeframeMs(timeframe: Timeframe): number {
  return TIMEFRAME_MS[timeframe];
}

/** Start of the candle that contains `ms` (UTC; days start at 00:00 UTC, as on Binance). */
export function alignDown(ms: number, timeframe: Timeframe): number {
  const step = timeframeMs(timeframe);
  return Math.floor(ms / step) * step;
}

/** First candle start at or after `ms`. */
export function alignUp(ms: number, timeframe: Timeframe): number {
  const step = timeframeMs(timeframe);
  return Math.ceil(ms / step) * step;
}

export function isAligned(ms: number, timeframe: Timeframe): boolean {
  return ms % timeframeMs(timeframe) === 0;
}

/**
 * Open time of the newest candle that is closed at `nowMs` — the newest one worth storing.
 * A candle is closed once its whole window lies in the past.
 * @example lastClosedOpenTime(Date.parse('2024-01-01T00:31:00Z'), '15m') // 2024-01-01T00:15:00Z
 */
export function lastClosedOpenTime(nowMs: number, timeframe: Timeframe): number {
  return alignDown(nowMs, timeframe) - timeframeMs(timeframe);
}

/** True once the candle opened at `openTimeMs` has finished by `nowMs`. */
export function isClosed(openTimeMs: number, timeframe: Timeframe, nowMs: number): boolean {
  return openTimeMs + timeframeMs(timeframe) <= nowMs;
}
