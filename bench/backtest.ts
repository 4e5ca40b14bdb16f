/**
 * `npm run bench -- backtest`: bar evaluations per second for an SMA-cross grid, with the full
 * accounting in every evaluation (fees, lot rounding, equity per bar, drawdown, trade records,
 * all statistics). Series are synthetic random walks built in memory; building them is the
 * "data loading" time, reported apart. Options: --symbols N (60), --pairs-fast a..b:s, --pairs-slow a..b:s.
 */
import { flagValue } from './args.ts';
import { availableParallelism } from 'node:os';
import { runGrid, type GridJob } from '../lib/backtest/grid-runner.ts';
import type { GridSeries } from '../lib/backtest/grid-task.ts';
import { gridParamSets, parseGrid } from '../lib/backtest/params-spec.ts';
import { smaCross } from '../lib/backtest/strategies/sma-cross.ts';
import type { Strategy } from '../lib/backtest/strategies/types.ts';
import type { Bars, EngineOptions } from '../lib/backtest/types.ts';

const YEAR_MS = 365 * 86_400_000;
const TIMEFRAMES: Array<[string, number]> = [['15m', 900_000], ['1h', 3_600_000], ['4h', 14_400_000], ['1d', 86_400_000]];

/** A year of a deterministic random walk at `barMs`, prices on a 0.01 grid. */
function syntheticBars(symbol: string, timeframe: string, barMs: number, seed: number): Bars {
  const n = Math.floor(YEAR_MS / barMs);
  const bars: Bars = {
    symbol, timeframe, time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x1_0000_0000;
  };
  let price = 100 + seed;
  const step = 0.004 * Math.sqrt(barMs / 900_000);
  for (let i = 0; i < n; i += 1) {
    const open = price;
    price = Math.max(0.01, Math.round(price * (1 + (rand() - 0.5) * 2 * step) * 100) / 100);
    bars.time[i] = Date.UTC(2024, 0, 1) + i * barMs;
    bars.open[i] = open;
    bars.close[i] = price;
    bars.high[i] = Math.max(open, price) * (1 + rand() * step);
    bars.low[i] = Math.min(open, price) * (1 - rand() * step);
    bars.volume[i] = 1 + rand() * 100;
  }
  return bars;
}

export interface BacktestBenchOptions {
  symbols: number;
  fast: string;
  slow: string;
}

async function timeGrid(series: GridSeries[], jobs: GridJob[], workers: number) {
  const started = performance.now();
  let barEvaluations = 0;
  let results = 0;
  let trades = 0;
  for await (const batch of runGrid(series, jobs, { workers })) {
    barEvaluations += batch.barEvaluations;
    results += batch.results.length;
    for (const r of batch.results) trades += r.trades;
  }
  const seconds = (performance.now() - started) / 1000;
  return { workers, results, trades, barEvaluations, seconds: Math.round(seconds * 1000) / 1000, barEvaluationsPerSecond: Math.round(barEvaluations / seconds) };
}

export async function benchBacktest(options: BacktestBenchOptions) {
  const engine: EngineOptions = { cash: 10_000, feeRate: 0.001, slippageBps: 2, lotStep: 0.001, fillAt: 'next-open' };
  const { paramSets } = gridParamSets(smaCross as unknown as Strategy, parseGrid(`fast=${options.fast},slow=${options.slow}`));
  const cores = availableParallelism();

  const loadStarted = performance.now();
  const all: GridSeries[] = [];
  for (const [tf, ms] of TIMEFRAMES) {
    for (let i = 0; i < options.symbols; i += 1) {
      all.push({ bars: syntheticBars(`S${i}/USDT`, tf, ms, i + 1), options: engine, periodsPerYear: YEAR_MS / ms });
    }
  }
  const dataLoadSeconds = (performance.now() - loadStarted) / 1000;
  const jobsFor = (series: GridSeries[]) => series.map((_, seriesIndex) => ({ seriesIndex, strategy: 'sma-cross', paramSets }));

  const m15 = all.filter((s) => s.bars.timeframe === '15m');
  // Warm-up so the single-core figure measures optimised code, as a long grid would.
  await timeGrid(m15.slice(0, 2), jobsFor(m15.slice(0, 2)), 0);
  const singleCore = await timeGrid(m15.slice(0, 10), jobsFor(m15.slice(0, 10)), 0);
  const allCores15m = await timeGrid(m15, jobsFor(m15), cores);
  const full = await timeGrid(all, jobsFor(all), cores);
  return {
    bench: 'backtest',
    grid: { strategy: 'sma-cross', pairs: paramSets.length, fast: options.fast, slow: options.slow },
    series: { symbols: options.symbols, barsPer15mSeries: m15[0]!.bars.close.length, timeframes: TIMEFRAMES.map(([tf]) => tf) },
    accounting: 'every evaluation: targets, fills with fee, slippage and lot rounding, equity per bar, drawdown, trade records, all statistics',
    dataLoadSeconds: Math.round(dataLoadSeconds * 1000) / 1000,
    cores,
    singleCore: { ...singleCore, note: '10 symbols × 15m × all pairs, in the main thread' },
    barEvaluationsPerSecondPerCore: singleCore.barEvaluationsPerSecond,
    allCores15m: { ...allCores15m, perCore: Math.round(allCores15m.barEvaluationsPerSecond / cores) },
    fullUniverse: { ...full, note: `${options.symbols} symbols × 4 timeframes × 1 year × ${paramSets.length} pairs, wall time on ${cores} cores, data loading excluded` },
    targets: { barEvaluationsPerSecondPerCore: 150e6, fullUniverseSeconds: 2 },
  };
}

export function parseBacktestBenchArgs(args: string[]): BacktestBenchOptions {
  const value = (flag: string) => flagValue(args, flag);
  return { symbols: Number(value('--symbols') ?? 60), fast: value('--pairs-fast') ?? '5..50:5', slow: value('--pairs-slow') ?? '60..240:20' };
}
