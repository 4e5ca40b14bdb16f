/**
 * Runs the real update job against the Binance stand-in and a test lake: real ccxt over
 * loopback HTTP, real Parquet, real S3 calls to the emulator. Only the clock is pinned.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../lib/clock/index.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { ConfigInput } from '../../lib/config/schema.ts';
import { createBinanceExchange } from '../../lib/exchange/binance.ts';
import { openLakeQuery, type QueryRow } from '../../lib/lake/query.ts';
import type { JobLogger } from '../../lib/logging/types.ts';
import type { ObjectStore } from '../../lib/object-store/types.ts';
import { runUpdate } from '../../lib/update/index.ts';
import type { UpdateInput, UpdateResult } from '../../lib/update/types.ts';
import type { BinanceStandIn } from '../stand-ins/binance/index.ts';
import { logCallText, recordCapturedOutput } from './secret-log-guard.ts';

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line for assertions. */
export function capturingLogger(): JobLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
    recordCapturedOutput(logCallText(level, message, fields), 'capturingLogger');
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Test defaults: fast retries, the whole rate limit (the stand-in is ours alone), short timeouts. */
export function testConfig(standIn: BinanceStandIn, lakeUrl: string, overrides: ConfigInput = {}) {
  return loadConfig({
    env: {},
    overrides: {
      ...overrides,
      lake: lakeUrl,
      exchange: { baseUrl: standIn.url, rateLimitShare: 1, retryBaseMs: 20, timeoutMs: 1_500, maxRetryAfterMs: 5_000, ...overrides.exchange },
      universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h', '1d'], ...overrides.universe },
      update: { initialLookbackDays: 10, concurrency: 2, ...overrides.update },
    },
  });
}

export interface UpdateHarness {
  clock: ReturnType<typeof fixedClock>;
  logger: ReturnType<typeof capturingLogger>;
  run(input?: Partial<UpdateInput>, overrides?: ConfigInput): Promise<UpdateResult>;
  rows(sql: string): Promise<QueryRow[]>;
}

/** Wires a job against `store` and `standIn`, both on the clock `nowMs`. */
export function updateHarness(store: ObjectStore, lakeUrl: string, standIn: BinanceStandIn, nowMs: number): UpdateHarness {
  const clock = fixedClock(nowMs);
  standIn.setNow(() => clock.nowMs());
  const logger = capturingLogger();
  let cacheDir: string | undefined;
  return {
    clock,
    logger,
    async run(input = {}, overrides = {}) {
      const config = testConfig(standIn, lakeUrl, overrides);
      const exchange = createBinanceExchange({ ...config.exchange });
      return runUpdate({ store, exchange, clock, logger, config }, { trigger: 'test', ...input });
    },
    async rows(sql) {
      cacheDir ??= await mkdtemp(join(tmpdir(), 'candlelake-cache-'));
      const lake = await openLakeQuery(store, cacheDir);
      try {
        return await lake.rows(sql);
      } finally {
        lake.close();
      }
    },
  };
}

/** Count, distinct count, first and last open time (ms) of one series in the lake. */
export const SERIES_STATS = (symbol: string, timeframe: string) =>
  `SELECT count(*)::INTEGER AS n, count(DISTINCT open_time)::INTEGER AS distinct_n, ` +
  `epoch_ms(min(open_time))::DOUBLE AS first, epoch_ms(max(open_time))::DOUBLE AS last ` +
  `FROM ohlcv WHERE symbol = '${symbol}' AND timeframe = '${timeframe}'`;
