/**
 * The update job in this process, wired as the production doors wire it (real ccxt client over
 * loopback HTTP, real Parquet, the given object store), on a pinned market clock so the
 * ground truth window is exact. Used by the exchange- and S3-fault scenarios.
 */
import { fixedClock } from '../../lib/clock/index.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { CandlelakeConfig, ConfigInput } from '../../lib/config/schema.ts';
import type { Timeframe } from '../../lib/config/universe.ts';
import { createBinanceExchange } from '../../lib/exchange/binance.ts';
import type { JobLogger } from '../../lib/logging/types.ts';
import type { ObjectStore } from '../../lib/object-store/types.ts';
import { runUpdate } from '../../lib/update/index.ts';
import type { UpdateResult } from '../../lib/update/types.ts';
import type { SeriesWindow } from './ground-truth.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** A market "now" just after the 00:30 update slot. */
export const MARKET_NOW = Date.UTC(2024, 5, 10, 0, 31);
export const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
export const TIMEFRAMES: Timeframe[] = ['15m', '1h'];
export const LOOKBACK_DAYS = 5;

/** Warnings and errors are kept (a scenario may assert on them); nothing is printed. */
export function keepingLogger(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  };
  return { lines, debug() {}, info() {}, warn: keep('warn'), error: keep('error') };
}

export interface UpdateRunner {
  clock: ReturnType<typeof fixedClock>;
  logger: ReturnType<typeof keepingLogger>;
  run(overrides?: ConfigInput): Promise<UpdateResult>;
  /** The configuration a run uses (the backup job takes the same). */
  config(overrides?: ConfigInput): CandlelakeConfig;
  /** The windows the lake must hold after a run at the clock's current time. */
  windows(): SeriesWindow[];
}

/**
 * @example const update = updateRunner(store, 'file:///tmp/lake', standIn.url, (now) => standIn.setNow(now));
 */
export function updateRunner(store: ObjectStore, lakeUrl: string, exchangeUrl: string, setMarketNow: (now: () => number) => void): UpdateRunner {
  const clock = fixedClock(MARKET_NOW);
  setMarketNow(() => clock.nowMs());
  const logger = keepingLogger();
  // A series' window opens at the first run that stored it: a series whose first run failed starts
  // its lookback from a later run, as the job documents, and that is not a loss.
  const firstStoredAt = new Map<string, number>();
  const config = (overrides: ConfigInput = {}) =>
    loadConfig({
        env: {},
        overrides: {
          ...overrides,
          lake: lakeUrl,
          // Fast retries and short timeouts keep a chaos run short; the policy (tries, Retry-After) is production's.
          exchange: { baseUrl: exchangeUrl, rateLimitShare: 1, retryBaseMs: 20, timeoutMs: 1_500, maxRetryAfterMs: 5_000, ...overrides.exchange },
          universe: { symbols: SYMBOLS, timeframes: TIMEFRAMES, ...overrides.universe },
          update: { initialLookbackDays: LOOKBACK_DAYS, concurrency: 2, ...overrides.update },
          features: { enabled: false },
        },
      });
  return {
    clock,
    logger,
    config,
    async run(overrides = {}) {
      const resolved = config(overrides);
      const exchange = createBinanceExchange({ ...resolved.exchange });
      const startedAt = clock.nowMs();
      const record = await runUpdate({ store, exchange, clock, logger, config: resolved }, { trigger: 'chaos' });
      for (const series of record.details.series) {
        if (series.ok && !firstStoredAt.has(`${series.symbol} ${series.timeframe}`)) firstStoredAt.set(`${series.symbol} ${series.timeframe}`, startedAt);
      }
      return record;
    },
    windows() {
      return SYMBOLS.flatMap((symbol) =>
        TIMEFRAMES.map((timeframe) => ({
          symbol,
          timeframe,
          fromMs: (firstStoredAt.get(`${symbol} ${timeframe}`) ?? clock.nowMs()) - LOOKBACK_DAYS * DAY_MS,
          closedAtMs: clock.nowMs(),
        })),
      );
    },
  };
}
