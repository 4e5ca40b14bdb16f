/**
 * Runs parameter grids over many series on worker threads, one per core by default, and yields
 * results as tasks finish. Work is cut into small tasks handed out on demand, so a slow series
 * never leaves other cores idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gridWorkerScript } from './grid-worker-script.ts';
import { GridTaskRunner, shareBars, type GridCellResult, type GridSeries, type GridTask } from './grid-task.ts';
import type { StrategyParams } from './types.ts';

export interface GridJob {
  seriesIndex: number;
  strategy: string;
  paramSets: StrategyParams[];
}

export interface GridRunOptions {
  /** Worker threads; 0 runs in this thread. Default: available cores. */
  workers?: number;
  /** Parameter sets per task (smaller: better balance; larger: less messaging). Default 16. */
  chunkSize?: number;
}

export interface GridBatch {
  results: GridCellResult[];
  barEvaluations: number;
}

function toTasks(jobs: readonly GridJob[], chunkSize: number): GridTask[] {
  const tasks: GridTask[] = [];
  for (const job of jobs) {
    for (let i = 0; i < job.paramSets.length; i += chunkSize) {
      tasks.push({ taskId: tasks.length, seriesIndex: job.seriesIndex, strategy: job.strategy, paramSets: job.paramSets.slice(i, i + chunkSize) });
    }
  }
  return tasks;
}

/**
 * Evaluates every job and yields batches of results as they complete (order not guaranteed).
 * @example for await (const batch of runGrid(series, jobs)) print(batch.results);
 */
export async function* runGrid(series: readonly GridSeries[], jobs: readonly GridJob[], options: GridRunOptions = {}): AsyncGenerator<GridBatch> {
  const tasks = toTasks(jobs, options.chunkSize ?? 16);
  const workerCount = Math.min(options.workers ?? availableParallelism(), tasks.length);
  if (workerCount <= 0) {
    const runner = new GridTaskRunner(series);
    for (const task of tasks) yield runner.run(task);
    return;
  }
  const shared = series.map((s) => ({ ...s, bars: shareBars(s.bars) }));
  const script = await gridWorkerScript();
  const workers = Array.from({ length: workerCount }, () => new Worker(script, { workerData: { series: shared } }));
  const queue: Array<GridBatch | Error> = [];
  let wake: (() => void) | undefined;
  let next = 0;
  let pending = tasks.length;
  const push = (item: GridBatch | Error) => {
    queue.push(item);
    wake?.();
  };
  const feed = (worker: Worker) => {
    if (next < tasks.length) worker.postMessage(tasks[next++]);
  };
  for (const worker of workers) {
    worker.on('message', (message: { results?: GridCellResult[]; barEvaluations?: number; error?: string }) => {
      if (message.error) push(new Error(`grid worker failed: ${message.error}`));
      else push({ results: message.results!, barEvaluations: message.barEvaluations! });
      feed(worker);
    });
    worker.on('error', (error) => push(error));
    feed(worker);
  }
  try {
    while (pending > 0) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = queue.shift()!;
      if (item instanceof Error) throw item;
      pending -= 1;
      yield item;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
