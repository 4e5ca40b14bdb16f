/**
 * One evaluation: a strategy's targets for one parameter set, simulated, then measured. The
 * single path every backtest takes — one run from the CLI, or one cell of a grid in a worker.
 */
import { computeStats } from './metrics.ts';
import { simulate } from './simulate.ts';
import type { IndicatorCache } from './strategies/indicator-cache.ts';
import type { Strategy } from './strategies/types.ts';
import type { Bars, EngineOptions, Simulation, Stats, StrategyParams } from './types.ts';

export interface Evaluation {
  stats: Stats;
  simulation: Simulation;
}

/**
 * @param params already validated ({@link validateParams})
 * @example const { stats } = evaluate(bars, smaCross, { fast: 10, slow: 30, mode: 'long' }, options, 8760, new IndicatorCache(bars));
 */
export function evaluate(
  bars: Bars,
  strategy: Strategy,
  params: StrategyParams,
  options: EngineOptions,
  periodsPerYear: number,
  cache: IndicatorCache,
  equityBuffer?: Float64Array,
): Evaluation {
  const targets = strategy.targets(bars, params as never, cache);
  const simulation = simulate(bars, targets, options, equityBuffer);
  const stats = computeStats({
    time: bars.time,
    close: bars.close,
    equity: simulation.equity,
    trades: simulation.trades,
    exposureBars: simulation.exposureBars,
    cash: options.cash,
    periodsPerYear,
  });
  return { stats, simulation };
}
