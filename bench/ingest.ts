/**
 * `npm run bench -- ingest`: how fast the update job fills a lake, how many object-store
 * requests each series costs, and how many bytes a stored candle takes.
 *
 * Runs the real job (ccxt → Binance stand-in on loopback → DuckDB → Parquet) into a local lake
 * behind a request-counting wrapper: the counted calls are the ones S3 would receive.
 * Options: --symbols N (default 60), --days D (default 365), --timeframes list (default all four).
 */
import { flagValue } from './args.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { DEFAULT_SYMBOLS, TIMEFRAMES, type Timeframe } from '../lib/config/universe.ts';
import { createBinanceExchange } from '../lib/exchange/binance.ts';
import { summarizeLake } from '../lib/lake/summary.ts';
import { createConsoleLogger } from '../lib/logging/console-logger.ts';
import { FileObjectStore } from '../lib/object-store/file.ts';
import { runUpdate } from '../lib/update/index.ts';
import { startBinanceStandIn } from '../test/stand-ins/binance/index.ts';
import { countingStore } from './counting-store.ts';

export interface IngestBenchOptions {
  symbols: number;
  days: number;
  timeframes: Timeframe[];
}

/** The design's estimate: 81 MB for 60 symbols × 4 timeframes × 1 year. */
const DESIGN_BYTES_PER_CANDLE = 29;

export async function benchIngest(options: IngestBenchOptions) {
  const standIn = await startBinanceStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-bench-'));
  try {
    const store = countingStore(new FileObjectStore(dir));
    const clock = fixedClock(Date.UTC(2024, 5, 10, 0, 31));
    standIn.setNow(() => clock.nowMs());
    const config = loadConfig({
      env: {},
      overrides: {
        lake: `file://${dir}`,
        exchange: { baseUrl: standIn.url, rateLimitShare: 1 },
        universe: { symbols: DEFAULT_SYMBOLS.slice(0, options.symbols), timeframes: options.timeframes },
        update: { initialLookbackDays: options.days },
      },
    });
    const logger = createConsoleLogger({ level: 'warn' });
    const run = () => runUpdate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock, logger, config }, { trigger: 'bench' });

    const started = performance.now();
    const first = await run();
    const firstSeconds = (performance.now() - started) / 1000;
    const firstCounts = { ...store.counts };
    const series = first.details.series.length;

    store.reset();
    clock.advance(86_400_000); // the next day's scheduled run
    const dailyStarted = performance.now();
    const daily = await run();
    const dailySeconds = (performance.now() - dailyStarted) / 1000;
    const dailyCounts = { ...store.counts };

    const summary = await summarizeLake(store, join(dir, '.cache'));
    const candles = summary.ohlcv.reduce((n, t) => n + t.candles, 0);
    const perSeries = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.round((v / series) * 100) / 100]));
    return {
      bench: 'ingest',
      universe: { symbols: options.symbols, timeframes: options.timeframes, days: options.days, series },
      firstRun: {
        outcome: first.outcome,
        candlesWritten: first.details.totals.candlesWritten,
        seconds: Math.round(firstSeconds * 100) / 100,
        candlesPerSecond: Math.round(first.details.totals.candlesWritten / firstSeconds),
        storeRequests: firstCounts,
        storeRequestsPerSeries: perSeries(firstCounts),
        exchangeRequests: first.details.weight.requests,
      },
      dailyRun: {
        outcome: daily.outcome,
        candlesWritten: daily.details.totals.candlesWritten,
        seconds: Math.round(dailySeconds * 100) / 100,
        storeRequests: dailyCounts,
        storeRequestsPerSeries: perSeries(dailyCounts),
        exchangeRequests: daily.details.weight.requests,
      },
      // Per-series figures include the run's fixed cost: lease (put, get, delete), run record (4 puts),
      // market snapshot (1 put) and one listing of the stored symbols.
      storage: {
        candles,
        ohlcvBytes: Math.round((summary.bytesPerCandle ?? 0) * candles),
        bytesPerCandle: summary.bytesPerCandle,
        designEstimateBytesPerCandle: DESIGN_BYTES_PER_CANDLE,
        targetBytesPerCandle: DESIGN_BYTES_PER_CANDLE / 2,
        projectedMBFor60x4x1y: Math.round(((summary.bytesPerCandle ?? 0) * 60 * (35_040 + 8_760 + 2_190 + 365)) / 1e4) / 100,
      },
    };
  } finally {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseIngestArgs(args: string[]): IngestBenchOptions {
  const value = (flag: string) => flagValue(args, flag);
  return {
    symbols: Number(value('--symbols') ?? 60),
    days: Number(value('--days') ?? 365),
    timeframes: (value('--timeframes')?.split(',') as Timeframe[] | undefined) ?? [...TIMEFRAMES],
  };
}
