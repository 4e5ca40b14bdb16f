/**
 * A backtest run: resolve strategies and parameter grids, load the series (a file or the lake),
 * gate them on data quality, evaluate everything on worker threads, and pick the best parameter
 * set per series and strategy for a detailed look. Storing and reporting are separate steps.
 */
import type { Clock } from '../clock/index.ts';
import type { Timeframe } from '../config/universe.ts';
import { timeframeMs } from '../candles/timeframe.ts';
import { newRunId } from '../lake/run-records.ts';
import type { LakeQuery } from '../lake/query.ts';
import type { JobLogger } from '../logging/types.ts';
import { inferTimeframe, periodsPerYear } from './data/bars.ts';
import { loadBarsFromFile } from './data/file.ts';
import { loadBarsFromLake, lotStepFromLake } from './data/lake.ts';
import { qualityFlags } from './data/quality.ts';
import { BarsInputError, StrategyInputError } from './errors.ts';
import { evaluate } from './evaluate.ts';
import { runGrid } from './grid-runner.ts';
import type { GridSeries } from './grid-task.ts';
import { gridParamSets, validateParams } from './params-spec.ts';
import { IndicatorCache } from './strategies/indicator-cache.ts';
import { STRATEGIES } from './strategies/index.ts';
import type { Strategy } from './strategies/types.ts';
import type { BacktestResult, Bars, EngineOptions, Simulation, Stats, StrategyParams } from './types.ts';

export type SeriesSource =
  | { kind: 'file'; path: string; symbol?: string }
  | { kind: 'lake'; lake: LakeQuery; symbols: string[]; timeframes: Timeframe[]; fromMs?: number; toMs?: number };

export interface StrategySpec {
  name: string;
  /** Fixed parameters (`--params`), as typed. */
  params?: Record<string, string>;
  /** Values per parameter (`--grid`); combined with `params`. */
  grid?: Record<string, Array<string | number>>;
}

export interface BacktestInput {
  runId?: string;
  source: SeriesSource;
  strategies: StrategySpec[];
  /** `lotStep` undefined: the market's lot step from the lake, else fractional. */
  engine: Omit<EngineOptions, 'lotStep'> & { lotStep?: number };
  daysPerYear?: number;
  /** Backtest series with CRITICAL data-quality flags anyway (results carry the flags). */
  allowFlagged?: boolean;
  workers?: number;
  /** The statistic that picks each series' best parameter set. Default `sharpe`. */
  rankBy?: keyof Stats;
  /** Flag a lake series as stale when its last bar closed longer ago than this. */
  maxAgeMs?: number;
  /**
   * Open CRITICAL findings of the latest validate run, by `symbol|timeframe` (see
   * `criticalFindingsBySeries`); they gate the series like the engine's own checks.
   */
  storedFindings?: ReadonlyMap<string, readonly string[]>;
}

export interface BacktestDeps {
  clock: Clock;
  logger: JobLogger;
  /** Called for each result as soon as it is computed (results stream out of the grid). */
  onResult?: (result: BacktestResult) => void;
}

export interface DetailedRun {
  bars: Bars;
  result: BacktestResult;
  simulation: Simulation;
}

export interface BacktestRun {
  runId: string;
  startedAt: string;
  endedAt: string;
  results: BacktestResult[];
  /** The best parameter set per (series, strategy), re-run with its trades and equity. */
  best: DetailedRun[];
  skipped: Array<{ symbol: string; timeframe: string; reason: string }>;
  barEvaluations: number;
  /** Grid parameter sets the strategies rejected (e.g. fast ≥ slow). */
  invalidParamSets: number;
  evaluationSeconds: number;
}

interface LoadedSeries {
  bars: Bars;
  grid: GridSeries;
  flags: string[];
}

/** Whether `a` beats `b` on `metric`: higher is better, except for drawdowns and volatility. */
export function isBetter(metric: keyof Stats, a: Stats, b: Stats): boolean {
  const x = a[metric];
  const y = b[metric];
  if (typeof x !== 'number') return false;
  if (typeof y !== 'number') return true;
  return metric === 'maxDrawdownPct' || metric === 'annualVolatilityPct' || metric === 'maxDrawdownDurationDays' ? x < y : x > y;
}

function resolveStrategies(specs: readonly StrategySpec[]): Array<{ strategy: Strategy; paramSets: StrategyParams[]; invalid: number }> {
  if (specs.length === 0) throw new StrategyInputError('no strategy given');
  return specs.map((spec) => {
    const strategy = STRATEGIES.get(spec.name);
    if (!strategy) throw new StrategyInputError(`unknown strategy "${spec.name}"; known: ${[...STRATEGIES.keys()].join(', ')}`);
    if (spec.grid && Object.keys(spec.grid).length > 0) {
      const { paramSets, skipped } = gridParamSets(strategy, spec.grid, spec.params);
      return { strategy, paramSets, invalid: skipped };
    }
    return { strategy, paramSets: [validateParams(strategy, spec.params ?? {})], invalid: 0 };
  });
}

async function loadSeries(input: BacktestInput, nowMs: number): Promise<{ loaded: LoadedSeries[]; skipped: BacktestRun['skipped'] }> {
  const daysPerYear = input.daysPerYear ?? 365;
  const loaded: LoadedSeries[] = [];
  const skipped: BacktestRun['skipped'] = [];
  const add = (bars: Bars, barMs: number, lotStep: number, stale: boolean, windowEndMs?: number) => {
    // A window that ends in the past is measured against its end, not today.
    const asOfMs = windowEndMs !== undefined ? Math.min(windowEndMs, nowMs) : nowMs;
    const flags = [
      ...qualityFlags(bars, { barMs, ...(stale && input.maxAgeMs !== undefined ? { nowMs: asOfMs, maxAgeMs: input.maxAgeMs } : {}) }),
      ...(input.storedFindings?.get(`${bars.symbol}|${bars.timeframe}`) ?? []).map((text) => `validate: ${text}`),
    ];
    if (flags.length > 0 && !input.allowFlagged) {
      skipped.push({ symbol: bars.symbol, timeframe: bars.timeframe, reason: `CRITICAL data quality (${flags.join('; ')}); pass --allow-flagged to backtest it anyway` });
      return;
    }
    const options: EngineOptions = { ...input.engine, lotStep };
    loaded.push({ bars, flags, grid: { bars, options, periodsPerYear: periodsPerYear(barMs, daysPerYear) } });
  };
  const source = input.source;
  if (source.kind === 'file') {
    const bars = await loadBarsFromFile(source.path, source.symbol);
    add(bars, inferTimeframe(bars.time).ms, input.engine.lotStep ?? 0, false);
  } else {
    for (const symbol of source.symbols) {
      const lotStep = input.engine.lotStep ?? (await lotStepFromLake(source.lake, symbol)) ?? 0;
      for (const timeframe of source.timeframes) {
        try {
          const window = { ...(source.fromMs !== undefined ? { fromMs: source.fromMs } : {}), ...(source.toMs !== undefined ? { toMs: source.toMs } : {}) };
          add(await loadBarsFromLake(source.lake, symbol, timeframe, window), timeframeMs(timeframe), lotStep, true, source.toMs);
        } catch (error) {
          if (!(error instanceof BarsInputError)) throw error;
          skipped.push({ symbol, timeframe, reason: error.message });
        }
      }
    }
  }
  return { loaded, skipped };
}

/**
 * Runs a backtest: one strategy and parameter set on one file, or grids over the lake.
 * @example
 * const run = await runBacktest({ clock: systemClock, logger }, {
 *   source: { kind: 'file', path: 'prices.csv' },
 *   strategies: [{ name: 'sma-cross', params: { fast: '10', slow: '30' } }],
 *   engine: { cash: 10_000, feeRate: 0.001, slippageBps: 0, fillAt: 'next-open' },
 * });
 */
export async function runBacktest(deps: BacktestDeps, input: BacktestInput): Promise<BacktestRun> {
  const startedAtMs = deps.clock.nowMs();
  const runId = input.runId ?? newRunId('backtest', startedAtMs);
  const strategies = resolveStrategies(input.strategies);
  const { loaded, skipped } = await loadSeries(input, startedAtMs);
  for (const s of skipped) deps.logger.warn('series skipped', { runId, ...s });

  const jobs = loaded.flatMap((_, seriesIndex) => strategies.map((s) => ({ seriesIndex, strategy: s.strategy.name, paramSets: s.paramSets })));
  const results: BacktestResult[] = [];
  const bestIndex = new Map<string, number>();
  const rankBy = input.rankBy ?? 'sharpe';
  let barEvaluations = 0;
  const t0 = performance.now();
  for await (const batch of runGrid(loaded.map((l) => l.grid), jobs, input.workers !== undefined ? { workers: input.workers } : {})) {
    barEvaluations += batch.barEvaluations;
    for (const cell of batch.results) {
      const series = loaded[cell.seriesIndex]!;
      const result: BacktestResult = {
        runId, symbol: series.bars.symbol, timeframe: series.bars.timeframe, strategy: cell.strategy,
        params: cell.params, options: series.grid.options, stats: cell.stats, dataQualityFlags: series.flags,
      };
      const key = `${cell.seriesIndex}:${cell.strategy}`;
      const current = bestIndex.get(key);
      if (current === undefined || isBetter(rankBy, result.stats, results[current]!.stats)) bestIndex.set(key, results.length);
      results.push(result);
      deps.onResult?.(result);
    }
  }
  const evaluationSeconds = (performance.now() - t0) / 1000;

  const best = [...bestIndex.entries()].map(([key, index]) => {
    const seriesIndex = Number(key.split(':')[0]);
    const series = loaded[seriesIndex]!;
    const result = results[index]!;
    const { simulation } = evaluate(series.bars, STRATEGIES.get(result.strategy)!, result.params, series.grid.options, series.grid.periodsPerYear, new IndicatorCache(series.bars));
    return { bars: series.bars, result, simulation };
  });
  return {
    runId,
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(deps.clock.nowMs()).toISOString(),
    results,
    best,
    skipped,
    barEvaluations,
    invalidParamSets: strategies.reduce((n, s) => n + s.invalid * loaded.length, 0),
    evaluationSeconds,
  };
}
