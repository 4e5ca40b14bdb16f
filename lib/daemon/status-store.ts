/**
 * The daemon's footprint in the lake: one object, `daemon/status.json`, rewritten every minute
 * and after each job, read by `candlelake status`.
 */
import type { ObjectStore } from '../object-store/types.ts';
import type { DaemonStatus } from './types.ts';

/** Where the daemon status lives in the lake (beside `runs/`, `leases/`, `heartbeats/`). */
export const DAEMON_STATUS_KEY = 'daemon/status.json';

/**
 * @example await writeDaemonStatus(store, status);
 */
export async function writeDaemonStatus(store: ObjectStore, status: DaemonStatus): Promise<void> {
  await store.put(DAEMON_STATUS_KEY, JSON.stringify(status, null, 2), { contentType: 'application/json' });
}

/**
 * The last status a daemon wrote to this lake, if one ever ran on it.
 * @example const status = await readDaemonStatus(store); if (status) console.log(status.pid);
 */
export async function readDaemonStatus(store: ObjectStore): Promise<DaemonStatus | undefined> {
  const got = await store.get(DAEMON_STATUS_KEY);
  if (!got) return undefined;
  return JSON.parse(Buffer.from(got.body).toString('utf8')) as DaemonStatus;
}
