/**
 * Where snapshots live in the backup store, in one place:
 *
 * ```
 * snapshots/<id>/started.json           start marker (id, startedAt), written first
 * snapshots/<id>/objects/<lake key>     a copy of every lake object
 * snapshots/<id>/manifest.json          written last: the commit marker
 * ```
 */
import { randomBytes } from 'node:crypto';
import { BackupUsageError } from './errors.ts';

export const SNAPSHOTS_PREFIX = 'snapshots/';

/** Lake keys a snapshot never copies: leases only coordinate running jobs and would be stale once restored. */
export const EXCLUDED_LAKE_PREFIXES: readonly string[] = ['leases/'];

// Ids become one key segment, so no `/`; the charset keeps them safe in URLs and shells too.
const SNAPSHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The default id of a snapshot started at `ms`, to the second: ids sort by start time as strings.
 * @example snapshotIdFor(Date.parse('2026-11-29T03:00:00Z')) // 'snap-20261129T030000Z'
 */
export function snapshotIdFor(ms: number): string {
  return `snap-${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}`;
}

/**
 * The default id when {@link snapshotIdFor} is already taken within the same second (a rerun
 * right after a run killed midway, whose incomplete snapshot holds that id until retention
 * removes it). The suffix keeps it after the taken id in string order, as it is in time.
 * @example retrySnapshotId('snap-20261129T030000Z') // 'snap-20261129T030000Z-3f9a1c'
 */
export function retrySnapshotId(baseId: string): string {
  return `${baseId}-${randomBytes(3).toString('hex')}`;
}

/** Throws {@link BackupUsageError} for an id that cannot be one key segment. */
export function assertSnapshotId(id: string): void {
  if (!SNAPSHOT_ID.test(id)) throw new BackupUsageError(`invalid snapshot id "${id}": use letters, digits, '.', '_' and '-'`);
}

export function snapshotPrefix(id: string): string {
  return `${SNAPSHOTS_PREFIX}${id}/`;
}

export function snapshotObjectsPrefix(id: string): string {
  return `${snapshotPrefix(id)}objects/`;
}

/** @example snapshotObjectKey('snap-20261129T0300Z', 'runs/job=update/latest.json') // 'snapshots/snap-20261129T0300Z/objects/runs/job=update/latest.json' */
export function snapshotObjectKey(id: string, lakeKey: string): string {
  return `${snapshotObjectsPrefix(id)}${lakeKey}`;
}

export function manifestKey(id: string): string {
  return `${snapshotPrefix(id)}manifest.json`;
}

export function startMarkerKey(id: string): string {
  return `${snapshotPrefix(id)}started.json`;
}

/** The snapshot id a backup key belongs to, or `undefined` outside `snapshots/`. */
export function snapshotIdOfKey(key: string): string | undefined {
  if (!key.startsWith(SNAPSHOTS_PREFIX)) return undefined;
  const rest = key.slice(SNAPSHOTS_PREFIX.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

/** Whether a lake object belongs in snapshots (and in a restore's whole-lake scope). */
export function isBackedUpKey(key: string): boolean {
  return !EXCLUDED_LAKE_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** Full location of a key, for messages: `file:///data/lake/runs/…`, `s3://bucket/prefix/runs/…`. */
export function objectPath(storeUrl: string, key: string): string {
  return `${storeUrl.replace(/\/+$/, '')}/${key}`;
}
