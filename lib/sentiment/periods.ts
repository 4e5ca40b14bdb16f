/** The exchange's statistics periods (open interest, long/short ratio) and their lengths. */
import type { StatsPeriod } from './types.ts';

export const STATS_PERIOD_MS: Readonly<Record<StatsPeriod, number>> = {
  '5m': 5 * 60_000, '15m': 15 * 60_000, '30m': 30 * 60_000, '1h': 3_600_000, '2h': 7_200_000,
  '4h': 14_400_000, '6h': 21_600_000, '12h': 43_200_000, '1d': 86_400_000,
};

/** Every period, shortest first (for configuration validation). */
export const STATS_PERIODS = Object.keys(STATS_PERIOD_MS) as [StatsPeriod, ...StatsPeriod[]];
