/** What a strategy is: a name, a one-line description, validated parameters, and targets from bars. */
import type { z } from 'zod';
import type { Bars, Targets } from '../types.ts';
import type { IndicatorCache } from './indicator-cache.ts';

/** `long`: the opposite signal exits; `long-short`: it reverses into a short. */
export type StrategyMode = 'long' | 'long-short';

export interface Strategy<P extends { mode: StrategyMode } = { mode: StrategyMode } & Record<string, unknown>> {
  /** Registry key, as typed on the command line (`sma-cross`). */
  name: string;
  /** One line for `candlelake strategies`. */
  description: string;
  /** Validates and fills defaults; numbers given as strings (`--params fast=10`) are coerced. */
  params: z.ZodType<P>;
  /**
   * The position wanted after each bar's close, from information up to that bar only.
   * `cache` shares indicator arrays between parameter sets of a grid.
   */
  targets(bars: Bars, params: P, cache: IndicatorCache): Targets;
  /**
   * For strategies whose targets are exactly `crossTargets(a, b, mode)`: the two series. Grids
   * then evaluate them with the fused kernel (lib/backtest/cross-kernel.ts), same numbers, faster.
   */
  crossSeries?(bars: Bars, params: P, cache: IndicatorCache): { a: Float64Array; b: Float64Array };
}
