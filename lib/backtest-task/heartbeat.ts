/**
 * The daily backtest's heartbeat: a small object in the lake (`heartbeats/backtest.json`) that the
 * local supervisor and the health probe read, plus a metric the CloudWatch alarm watches.
 */
import type { MetricsSink } from '../metrics/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

export const HEARTBEAT_KEY = 'heartbeats/backtest.json';

export interface Heartbeat {
  runId: string;
  runDate: string;
  /** `running` while working; `finished` or `failed` written on the way out. */
  state: 'running' | 'finished' | 'failed';
  atMs: number;
  unitsDone: number;
  unitsTotal: number;
  /** Process id locally, task ARN on Fargate. */
  taskId: string;
  shard: string;
}

/** Writes the heartbeat object and publishes the heartbeat metric (dimension `job=backtest`). */
export async function beat(store: ObjectStore, metrics: MetricsSink | undefined, heartbeat: Heartbeat): Promise<void> {
  await store.put(HEARTBEAT_KEY, JSON.stringify(heartbeat), { contentType: 'application/json' });
  await metrics?.publish([
    { name: 'BacktestHeartbeat', value: 1, unit: 'Count', dimensions: { job: 'backtest' }, timestampMs: heartbeat.atMs },
    { name: 'BacktestProgress', value: heartbeat.unitsTotal > 0 ? (heartbeat.unitsDone / heartbeat.unitsTotal) * 100 : 0, unit: 'Percent', dimensions: { job: 'backtest' }, timestampMs: heartbeat.atMs },
  ]);
}

export async function readHeartbeat(store: ObjectStore): Promise<Heartbeat | undefined> {
  const got = await store.get(HEARTBEAT_KEY);
  return got ? (JSON.parse(Buffer.from(got.body).toString('utf8')) as Heartbeat) : undefined;
}
