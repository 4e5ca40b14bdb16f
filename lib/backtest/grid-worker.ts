/** Worker-thread side of the grid runner: receives the series once, then tasks; answers each task with its results. */
import { parentPort, workerData } from 'node:worker_threads';
import { GridTaskRunner, type GridSeries, type GridTask } from './grid-task.ts';

const runner = new GridTaskRunner((workerData as { series: GridSeries[] }).series);

parentPort!.on('message', (task: GridTask) => {
  try {
    const { results, barEvaluations } = runner.run(task);
    parentPort!.postMessage({ taskId: task.taskId, results, barEvaluations });
  } catch (error) {
    parentPort!.postMessage({ taskId: task.taskId, error: (error as Error).stack ?? String(error) });
  }
});
