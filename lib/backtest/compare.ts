/**
 * Day-over-day comparison: each strategy's statistics against the previous run on the same
 * window, flagged when they drift beyond bounds. A strategy that suddenly behaves differently
 * is what the desk most needs to hear about.
 */
import type { Stats } from './types.ts';

/** How far a statistic may move between two daily runs before it is flagged (absolute units of the metric). */
export type DriftBounds = Partial<Record<keyof Stats, number>>;

export const DEFAULT_DRIFT_BOUNDS: DriftBounds = {
  totalReturnPct: 5,
  sharpe: 0.5,
  maxDrawdownPct: 5,
  winRatePct: 10,
  trades: 5,
};

/** The identity and statistics of one result, as stored in `backtest_runs` or fresh from a run. */
export interface ComparableResult {
  symbol: string;
  timeframe: string;
  strategy: string;
  /** Canonical JSON of the parameters (`paramsKey`). */
  params: string;
  stats: Partial<Stats>;
}

export interface Drift {
  symbol: string;
  timeframe: string;
  strategy: string;
  params: string;
  metric: keyof Stats;
  previous: number;
  current: number;
  delta: number;
  bound: number;
}

const identity = (r: ComparableResult) => `${r.symbol}|${r.timeframe}|${r.strategy}|${r.params}`;

/**
 * Drifts beyond `bounds` between matching results (same series, strategy and parameters, and the
 * same window length within `windowToleranceDays`). Pure.
 * @example compareResults(previous, current) // [{ metric: 'sharpe', previous: 1.4, current: 0.3, delta: -1.1, bound: 0.5, ... }]
 */
export function compareResults(
  previous: readonly ComparableResult[],
  current: readonly ComparableResult[],
  bounds: DriftBounds = DEFAULT_DRIFT_BOUNDS,
  windowToleranceDays = 1.01,
): Drift[] {
  const before = new Map(previous.map((r) => [identity(r), r]));
  const drifts: Drift[] = [];
  for (const now of current) {
    const then = before.get(identity(now));
    if (!then) continue;
    const d0 = then.stats.durationDays;
    const d1 = now.stats.durationDays;
    if (typeof d0 === 'number' && typeof d1 === 'number' && Math.abs(d0 - d1) > windowToleranceDays) continue;
    for (const [metric, bound] of Object.entries(bounds) as Array<[keyof Stats, number]>) {
      const a = then.stats[metric];
      const b = now.stats[metric];
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      const delta = b - a;
      if (Math.abs(delta) > bound) {
        drifts.push({ symbol: now.symbol, timeframe: now.timeframe, strategy: now.strategy, params: now.params, metric, previous: a, current: b, delta, bound });
      }
    }
  }
  return drifts;
}
