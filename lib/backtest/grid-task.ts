/**
 * The work of one grid task: evaluate a chunk of parameter sets of one strategy on one series.
 * Runs inside a worker thread, or in-process when no workers are wanted; both share this code.
 */
import { crossKernel, TradeLog } from './cross-kernel.ts';
import { evaluate } from './evaluate.ts';
import type { StrategyMode } from './strategies/types.ts';
import { IndicatorCache } from './strategies/indicator-cache.ts';
import { STRATEGIES } from './strategies/index.ts';
import type { Bars, EngineOptions, Stats, StrategyParams } from './types.ts';

/** A series as sent to workers: typed arrays over SharedArrayBuffers, so no copy per worker. */
export interface GridSeries {
  bars: Bars;
  periodsPerYear: number;
  options: EngineOptions;
}

export interface GridTask {
  taskId: number;
  seriesIndex: number;
  strategy: string;
  paramSets: StrategyParams[];
}

export interface GridCellResult {
  seriesIndex: number;
  strategy: string;
  params: StrategyParams;
  stats: Stats;
  trades: number;
}

/** Holds per-series indicator caches and one reusable equity buffer for a worker's lifetime. */
export class GridTaskRunner {
  private readonly caches = new Map<number, IndicatorCache>();
  private equityBuffer = new Float64Array(0);
  private readonly tradeLog = new TradeLog();

  constructor(private readonly series: readonly GridSeries[]) {}

  /** Evaluates every parameter set of the task; the bar count is returned for throughput figures. */
  run(task: GridTask): { results: GridCellResult[]; barEvaluations: number } {
    const s = this.series[task.seriesIndex];
    const strategy = STRATEGIES.get(task.strategy);
    if (!s || !strategy) throw new Error(`grid task ${task.taskId}: unknown series ${task.seriesIndex} or strategy ${task.strategy}`);
    let cache = this.caches.get(task.seriesIndex);
    if (!cache) {
      cache = new IndicatorCache(s.bars);
      this.caches.set(task.seriesIndex, cache);
    }
    const n = s.bars.close.length;
    if (this.equityBuffer.length < n) this.equityBuffer = new Float64Array(n);
    const results: GridCellResult[] = [];
    for (const params of task.paramSets) {
      if (strategy.crossSeries) {
        // Same numbers as `evaluate` (a property test holds them equal), one fused pass.
        const { a, b } = strategy.crossSeries(s.bars, params as never, cache);
        const stats = crossKernel(s.bars, a, b, params['mode'] as StrategyMode, s.options, s.periodsPerYear, this.tradeLog);
        results.push({ seriesIndex: task.seriesIndex, strategy: task.strategy, params, stats, trades: this.tradeLog.count });
        continue;
      }
      const { stats, simulation } = evaluate(s.bars, strategy, params, s.options, s.periodsPerYear, cache, this.equityBuffer);
      results.push({ seriesIndex: task.seriesIndex, strategy: task.strategy, params, stats, trades: simulation.trades.length });
    }
    return { results, barEvaluations: n * task.paramSets.length };
  }
}

/** Copies bars into SharedArrayBuffers so worker threads read them without a copy each. */
export function shareBars(bars: Bars): Bars {
  const share = (a: Float64Array) => {
    const shared = new Float64Array(new SharedArrayBuffer(a.byteLength));
    shared.set(a);
    return shared;
  };
  return {
    symbol: bars.symbol, timeframe: bars.timeframe,
    time: share(bars.time), open: share(bars.open), high: share(bars.high),
    low: share(bars.low), close: share(bars.close), volume: share(bars.volume),
  };
}
