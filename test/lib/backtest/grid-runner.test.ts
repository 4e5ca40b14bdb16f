/**
 * The grid runner on worker threads against the same work in this thread: identical results,
 * results streamed in task-sized batches, and a failing task that rejects with a clear error
 * instead of hanging, with every worker terminated.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runGrid, type GridBatch, type GridJob, type GridRunOptions } from '../../../lib/backtest/grid-runner.ts';
import type { GridSeries } from '../../../lib/backtest/grid-task.ts';
import { gridParamSets, parseGrid } from '../../../lib/backtest/params-spec.ts';
import { paramsKey } from '../../../lib/backtest/store-results.ts';
import { STRATEGIES } from '../../../lib/backtest/strategies/index.ts';
import type { EngineOptions } from '../../../lib/backtest/types.ts';
import { randomWalkBars } from '../../harness/bars.ts';

const OPTIONS: EngineOptions = { cash: 10_000, feeRate: 0.001, slippageBps: 2, lotStep: 0, fillAt: 'next-open' };
const BARS = 600;
const SERIES: GridSeries[] = [1, 2, 3].map((seed) => ({ bars: randomWalkBars(BARS, seed, `RW${seed}/USDT`), periodsPerYear: 8760, options: OPTIONS }));

function paramSets(strategy: string, grid: string) {
  return gridParamSets(STRATEGIES.get(strategy)!, parseGrid(grid)).paramSets;
}

const SMA = paramSets('sma-cross', 'fast=3..9:3,slow=10..30:10,mode=long|long-short'); // 3 × 3 × 2 = 18
const RSI = paramSets('rsi-reversion', 'period=5|14,lower=20|30'); // 4
const JOBS: GridJob[] = SERIES.flatMap((_, seriesIndex) => [
  { seriesIndex, strategy: 'sma-cross', paramSets: SMA },
  { seriesIndex, strategy: 'rsi-reversion', paramSets: RSI },
]);
const CELLS = SERIES.length * (SMA.length + RSI.length);

/** Drains the grid, failing instead of hanging if it never ends. */
async function collect(series: readonly GridSeries[], jobs: readonly GridJob[], options: GridRunOptions, timeoutMs = 20_000): Promise<GridBatch[]> {
  const batches: GridBatch[] = [];
  const drain = (async () => {
    for await (const batch of runGrid(series, jobs, options)) batches.push(batch);
    return batches;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`runGrid did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([drain, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Results keyed by (series, strategy, parameters): compared as sets, since order is not guaranteed. */
function bySeriesStrategyParams(batches: GridBatch[]): Map<string, unknown> {
  const cells = batches.flatMap((b) => b.results);
  return new Map(cells.map((c) => [`${c.seriesIndex}|${c.strategy}|${paramsKey(c.params)}`, { stats: c.stats, trades: c.trades }]));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runGrid: worker threads and this thread agree', () => {
  it('3 series × 2 strategies × a small grid: same parameters give the same statistics', async () => {
    const inThread = await collect(SERIES, JOBS, { workers: 0, chunkSize: 4 });
    const onWorkers = await collect(SERIES, JOBS, { workers: 2, chunkSize: 4 });

    const a = bySeriesStrategyParams(inThread);
    const b = bySeriesStrategyParams(onWorkers);
    expect(a.size).toBe(CELLS);
    expect(b.size).toBe(CELLS);
    expect(b).toEqual(a);
    // Not a degenerate comparison: the grid's cells differ from one another.
    const returns = new Set(inThread.flatMap((batch) => batch.results.map((c) => c.stats.totalReturnPct)));
    expect(returns.size).toBeGreaterThan(CELLS / 2);
    expect(inThread.flatMap((batch) => batch.results).some((c) => c.trades > 0)).toBe(true);
  });

  it('every cell keeps its series, strategy and parameters', async () => {
    const batches = await collect(SERIES, JOBS, { workers: 2, chunkSize: 5 });

    const keys = [...bySeriesStrategyParams(batches).keys()].sort();
    const expected = JOBS.flatMap((job) => job.paramSets.map((p) => `${job.seriesIndex}|${job.strategy}|${paramsKey(p)}`)).sort();
    expect(keys).toEqual(expected);
  });
});

describe('runGrid streams results', () => {
  it.each([
    ['in this thread', 0],
    ['on 2 workers', 2],
  ])('%s: one batch per task of at most chunkSize cells, bar evaluations counted', async (_name, workers) => {
    const chunkSize = 4;

    const batches = await collect(SERIES, JOBS, { workers, chunkSize });

    // Per series: 18 SMA sets → 5 tasks, 4 RSI sets → 1 task.
    expect(batches).toHaveLength(SERIES.length * (5 + 1));
    expect(batches.every((b) => b.results.length >= 1 && b.results.length <= chunkSize)).toBe(true);
    expect(batches.reduce((n, b) => n + b.results.length, 0)).toBe(CELLS);
    expect(batches.reduce((n, b) => n + b.barEvaluations, 0)).toBe(CELLS * BARS);
    for (const b of batches) expect(b.barEvaluations).toBe(b.results.length * BARS);
  });

  it('the first batch arrives before the grid is finished', async () => {
    const seen: number[] = [];
    const grid = runGrid(SERIES, JOBS, { workers: 2, chunkSize: 2 });

    const first = await grid.next();
    seen.push((first.value as GridBatch).results.length);
    for await (const batch of grid) seen.push(batch.results.length);

    expect(first.done).toBe(false);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(CELLS);
  });

  it('no jobs: no batches', async () => {
    const batches = await collect(SERIES, [], { workers: 2 });

    expect(batches).toEqual([]);
  });
});

describe('runGrid fails loudly', () => {
  const badJobs: GridJob[] = [
    { seriesIndex: 0, strategy: 'sma-cross', paramSets: SMA },
    { seriesIndex: 1, strategy: 'nope', paramSets: RSI },
  ];

  it.each([
    ['in this thread', 0, /^grid task 5: unknown series 1 or strategy nope$/],
    ['on 2 workers', 2, /^grid worker failed: Error: grid task 5: unknown series 1 or strategy nope\n/],
  ])('%s: an unknown strategy rejects, naming it, and does not hang', async (_name, workers, message) => {
    const error = await collect(SERIES, badJobs, { workers, chunkSize: 4 }).then(
      () => new Error('expected the grid to reject'),
      (e: Error) => e,
    );

    expect(error.message).toMatch(message);
  });

  it('an unknown series index rejects too', async () => {
    const error = await collect(SERIES, [{ seriesIndex: 7, strategy: 'sma-cross', paramSets: SMA }], { workers: 2 }).then(
      () => new Error('expected the grid to reject'),
      (e: Error) => e,
    );

    expect(error.message).toMatch(/^grid worker failed: Error: grid task \d+: unknown series 7 or strategy sma-cross\n/);
  });

  it('every worker is terminated after a failure', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');

    await collect(SERIES, badJobs, { workers: 2, chunkSize: 4 }).catch(() => undefined);

    expect(terminate).toHaveBeenCalledTimes(2);
  });

  it('every worker is terminated when the consumer stops early', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');

    for await (const batch of runGrid(SERIES, JOBS, { workers: 3, chunkSize: 2 })) {
      expect(batch.results.length).toBeGreaterThan(0);
      break;
    }

    expect(terminate).toHaveBeenCalledTimes(3);
  });
});
