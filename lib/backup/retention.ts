/**
 * Retention: keep the newest N complete snapshots, delete the rest, and clear away interrupted
 * ones that a later complete snapshot has superseded.
 */
import type { ObjectStore } from '../object-store/types.ts';
import { listSnapshots } from './catalog.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { BackupUsageError } from './errors.ts';
import { manifestKey, snapshotPrefix } from './layout.ts';
import type { RetentionOptions, RetentionReport } from './types.ts';

/** Defaults of {@link applyRetention}. */
export const RETENTION_DEFAULTS = { keep: 3, dryRun: false } as const;

/**
 * Deletes complete snapshots beyond the newest `keep`, and incomplete ones that started before
 * the newest complete one (a newer incomplete one may still be running, so it stays). With no
 * complete snapshot at all nothing is deleted. The newest complete snapshot is never deleted.
 * @example const { deletedComplete } = await applyRetention(backup, { keep: 3 }); // ['snap-20261101T030000Z']
 */
export async function applyRetention(backup: ObjectStore, options: RetentionOptions = {}): Promise<RetentionReport> {
  const { keep, dryRun } = { ...RETENTION_DEFAULTS, ...options };
  if (!Number.isInteger(keep) || keep < 1) throw new BackupUsageError(`keep must be a whole number of at least 1, got ${keep}`);
  const { complete, incomplete } = await listSnapshots(backup);
  const newest = complete[0];
  const kept = complete.slice(0, keep).map((s) => s.id);
  const deletedComplete = complete.slice(keep).map((s) => s.id);
  // Incomplete snapshots without a start marker cannot be dated, so they are left alone.
  const deletedIncomplete = newest
    ? incomplete.filter((s) => s.startedAt !== undefined && s.startedAt < newest.createdAt).map((s) => s.id)
    : [];

  let objectsDeleted = 0;
  for (const id of [...deletedComplete, ...deletedIncomplete]) {
    objectsDeleted += await deleteSnapshot(backup, id, dryRun);
  }
  return { dryRun, kept, deletedComplete, deletedIncomplete, objectsDeleted };
}

/**
 * Removes one snapshot folder; returns how many objects it held. The manifest goes first, so a
 * deletion cut short leaves an incomplete snapshot (cleaned up next time), never a complete one
 * with missing objects.
 */
async function deleteSnapshot(backup: ObjectStore, id: string, dryRun: boolean): Promise<number> {
  const objects = await backup.list(snapshotPrefix(id));
  if (dryRun) return objects.length;
  await backup.delete(manifestKey(id));
  const rest = objects.filter((o) => o.key !== manifestKey(id));
  await mapLimited(rest, DEFAULT_CONCURRENCY, (o) => backup.delete(o.key));
  return objects.length;
}
