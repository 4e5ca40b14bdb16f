/**
 * Staleness: is a series as fresh as the update schedule allows? The expectation is derived from
 * the schedule, not from the wall clock, so the same lake validated at 01:00 and at 23:59 on a
 * day the update ran on time gives the same answer: up to date.
 */
import { Cron } from 'croner';
import { lastClosedOpenTime, timeframeMs } from '../../candles/timeframe.ts';
import type { Timeframe } from '../../config/universe.ts';
import { schedule } from '../../schedule/index.ts';
import { findingKey, plural, utcMinute } from './format.ts';
import type { ExpectedNewestOptions, Finding, SeriesRef, StalenessThresholds } from './types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Default staleness limits per timeframe.
 *
 * WARNING from one candle behind (`warningLagMs` = the timeframe length): the lag is measured
 * against what the schedule could have stored, so any lag at all means a run failed or skipped a
 * series. A single missed daily update leaves a 1d series exactly one candle behind; a looser
 * warning would let that pass unnoticed, and it must be caught by the very next validation.
 *
 * CRITICAL once the lag exceeds:
 * - 1d: 7 days — more than a week of missed updates; fewer are a WARNING to look at, not a page.
 * - 4h: 24 hours — one whole missed daily run (6 candles) stays a WARNING; more is CRITICAL.
 * - 1h: 6 hours — a missed daily run (24 candles) is CRITICAL at once: intraday strategies need it.
 * - 15m: 2 hours (8 candles). A limit counted in missed daily runs (like 1d's) cannot work for
 *   15m: the series is refreshed once a day, so a single missed run already leaves it 96 candles
 *   behind, and three missed runs would mean 288. Because the expectation follows the schedule, an
 *   on-time run leaves no lag at all; 2 h only tolerates a run that stored a few candles short
 *   (e.g. the exchange served the newest ones late), and any missed run is CRITICAL.
 *
 * @example DEFAULT_STALENESS['1d'] // { warningLagMs: 86_400_000, criticalLagMs: 604_800_000 }
 */
export const DEFAULT_STALENESS: Readonly<Record<Timeframe, StalenessThresholds>> = {
  '15m': { warningLagMs: timeframeMs('15m'), criticalLagMs: 2 * HOUR_MS },
  '1h': { warningLagMs: timeframeMs('1h'), criticalLagMs: 6 * HOUR_MS },
  '4h': { warningLagMs: timeframeMs('4h'), criticalLagMs: 24 * HOUR_MS },
  '1d': { warningLagMs: timeframeMs('1d'), criticalLagMs: 7 * DAY_MS },
};

/**
 * The update job's schedule, read from the one schedule table (`lib/schedule/jobs.json`, today
 * `30 0 * * *`), and the time it is given to finish.
 * @example DEFAULT_EXPECTED_NEWEST // { updateCron: '30 0 * * *', graceMs: 1_200_000 }
 */
export const DEFAULT_EXPECTED_NEWEST: Readonly<Required<ExpectedNewestOptions>> = {
  updateCron: schedule.update.cron,
  graceMs: 20 * MINUTE_MS,
};

/**
 * Open time of the newest closed candle the update schedule could have stored by `nowMs`:
 * `lastClosedOpenTime(s, timeframe)` where `s` is the most recent scheduled update start at or
 * before `nowMs − graceMs`. The grace covers the update's own run time: until it has passed, the
 * previous run's result is what can be expected.
 *
 * @example
 * // update at 00:30 UTC, validated at 01:00: the 00:30 run stored 1h candles up to 23:00 yesterday
 * expectedNewestOpenTime(Date.parse('2024-06-02T01:00:00Z'), '1h') // Date.parse('2024-06-01T23:00:00Z')
 */
export function expectedNewestOpenTime(nowMs: number, timeframe: Timeframe, options: ExpectedNewestOptions = {}): number {
  const { updateCron, graceMs } = { ...DEFAULT_EXPECTED_NEWEST, ...options };
  const referenceMs = nowMs - graceMs;
  const cron = new Cron(updateCron, { timezone: 'UTC', paused: true });
  // previousRuns excludes a run exactly at the reference; 1 ms later makes "at or before" inclusive.
  const [lastStart] = cron.previousRuns(1, new Date(referenceMs + 1));
  if (lastStart === undefined) {
    throw new RangeError(`update schedule '${updateCron}' has no run at or before ${new Date(referenceMs).toISOString()}`);
  }
  return lastClosedOpenTime(lastStart.getTime(), timeframe);
}

/**
 * A 'stale' finding when the series lags the schedule, else `undefined`.
 *
 * Severity: CRITICAL when the lag exceeds `criticalLagMs`, WARNING from `warningLagMs` on, INFO
 * for a lag under one candle (only possible with misaligned times, which sanity reports).
 * A series with no data at all is not stale: coverage reports it as missing.
 *
 * @example
 * stalenessFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1d' },
 *   Date.parse('2024-06-01T00:00:00Z'), Date.parse('2024-06-02T00:00:00Z'))
 * // { kind: 'stale', severity: 'WARNING', key: 'validate:stale:binance:BTC/USDT:1d', details: { lagMs: 86_400_000, candlesBehind: 1, … }, … }
 */
export function stalenessFinding(
  series: SeriesRef,
  storedLastOpenTimeMs: number | undefined,
  expectedMs: number,
  thresholds: StalenessThresholds = DEFAULT_STALENESS[series.timeframe],
): Finding | undefined {
  if (storedLastOpenTimeMs === undefined) return undefined;
  const lagMs = expectedMs - storedLastOpenTimeMs;
  if (lagMs <= 0) return undefined;
  const { exchange, symbol, timeframe } = series;
  const candlesBehind = Math.floor(lagMs / timeframeMs(timeframe));
  const severity = lagMs > thresholds.criticalLagMs ? 'CRITICAL' : lagMs >= thresholds.warningLagMs ? 'WARNING' : 'INFO';
  return {
    kind: 'stale',
    severity,
    key: findingKey('stale', exchange, symbol, timeframe),
    symbol,
    timeframe,
    text: `${symbol} ${timeframe} is ${plural(candlesBehind, 'candle')} behind: last ${utcMinute(storedLastOpenTimeMs)}, expected ${utcMinute(expectedMs)}`,
    details: {
      lagMs,
      candlesBehind,
      storedLast: new Date(storedLastOpenTimeMs).toISOString(),
      expected: new Date(expectedMs).toISOString(),
      storedLastMs: storedLastOpenTimeMs,
      expectedMs,
    },
  };
}
