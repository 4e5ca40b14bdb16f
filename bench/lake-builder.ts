/**
 * Builds a benchmark lake the way `bench -- ingest` fills one (the real update job: ccxt →
 * Binance stand-in on loopback → DuckDB → Parquet, same clock and config), then optionally
 * re-lays each series as many small parts, as a year of daily update runs would leave it.
 */
import { parseFeatureSpec } from '../lib/features/index.ts';
import { featuresWrite } from '../lib/features/store.ts';
import { fixedClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { DEFAULT_SYMBOLS, type Timeframe } from '../lib/config/universe.ts';
import { createBinanceExchange } from '../lib/exchange/binance.ts';
import { seriesPrefix, type SeriesId } from '../lib/lake/keys.ts';
import { ohlcvListParts, ohlcvReadSeries, ohlcvWrite } from '../lib/lake/ohlcv-store.ts';
import { createConsoleLogger } from '../lib/logging/console-logger.ts';
import type { ObjectStore } from '../lib/object-store/types.ts';
import { mapLimited } from '../lib/backup/concurrency.ts';
import { runUpdate } from '../lib/update/index.ts';
import { startBinanceStandIn } from '../test/stand-ins/binance/index.ts';

const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday: shifting by 3 days puts 7-day chunk boundaries on Mondays 00:00 UTC. */
const MONDAY_OFFSET_MS = 3 * DAY_MS;

export interface LakeBuildOptions {
  symbols: number;
  days: number;
  timeframes: Timeframe[];
}

/** The update job's first run into `store`, configured exactly as `bench -- ingest` configures it. */
export async function ingestYear(store: ObjectStore, options: LakeBuildOptions) {
  const standIn = await startBinanceStandIn();
  try {
    const clock = fixedClock(Date.UTC(2024, 5, 10, 0, 31));
    standIn.setNow(() => clock.nowMs());
    const config = loadConfig({
      env: {},
      overrides: {
        lake: store.url,
        exchange: { baseUrl: standIn.url, rateLimitShare: 1 },
        universe: { symbols: DEFAULT_SYMBOLS.slice(0, options.symbols), timeframes: options.timeframes },
        update: { initialLookbackDays: options.days },
      },
    });
    const logger = createConsoleLogger({ level: 'warn' });
    const started = performance.now();
    const run = await runUpdate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock, logger, config }, { trigger: 'bench' });
    const series: SeriesId[] = run.details.series.map((s) => ({ exchange: config.exchange.id, symbol: s.symbol, timeframe: s.timeframe }));
    return {
      outcome: run.outcome,
      series,
      candlesWritten: run.details.totals.candlesWritten,
      seconds: (performance.now() - started) / 1000,
      indicators: config.features.enabled ? config.features.indicators : [],
    };
  } finally {
    await standIn.close();
  }
}

/**
 * Rewrites every series' `ohlcv` and `features` as one part per `partDays`-day chunk (7: Monday to
 * Sunday UTC), through the lake's own writers (ohlcvWrite, featuresWrite), oldest chunk first.
 * Features are recomputed over the whole series, as the update job computes them.
 */
export async function splitIntoParts(
  store: ObjectStore,
  series: readonly SeriesId[],
  options: { partDays: number; indicators: readonly string[]; concurrency?: number },
): Promise<{ ohlcvParts: number; featureParts: number; seconds: number }> {
  const chunkMs = options.partDays * DAY_MS;
  const offset = options.partDays === 7 ? MONDAY_OFFSET_MS : 0;
  const definitions = options.indicators.map(parseFeatureSpec);
  const started = performance.now();
  let ohlcvParts = 0;
  let featureParts = 0;
  await mapLimited(series, options.concurrency ?? 2, async (s) => {
    const history = await ohlcvReadSeries(store, s, await ohlcvListParts(store, s));
    const columns = definitions.flatMap((d) => {
      const values = d.compute(history);
      return d.columns.map((name, i) => ({ name, values: values[i]! }));
    });
    for (const dataset of ['ohlcv', 'features'] as const) {
      for (const object of await store.list(seriesPrefix(dataset, s))) await store.delete(object.key);
    }
    const times = history.openTimeMs;
    // Per-series counts, added once at the end: `total += await …` would lose updates across the concurrent series.
    let seriesOhlcv = 0;
    let seriesFeatures = 0;
    let from = 0;
    while (from < times.length) {
      const chunk = Math.floor((times[from]! + offset) / chunkMs);
      let to = from + 1;
      while (to < times.length && Math.floor((times[to]! + offset) / chunkMs) === chunk) to += 1;
      const candles = [];
      for (let i = from; i < to; i += 1) {
        candles.push({ openTimeMs: times[i]!, open: history.open[i]!, high: history.high[i]!, low: history.low[i]!, close: history.close[i]!, volume: history.volume[i]! });
      }
      // The chunks never overlap what is stored, so no listing is needed before each write.
      seriesOhlcv += (await ohlcvWrite(store, s, candles, [])).objectsWritten;
      if (columns.length > 0) seriesFeatures += (await featuresWrite(store, s, times, columns, from, to)).length;
      from = to;
    }
    ohlcvParts += seriesOhlcv;
    featureParts += seriesFeatures;
  });
  return { ohlcvParts, featureParts, seconds: (performance.now() - started) / 1000 };
}

