/**
 * Which snapshots the backup store holds: complete ones (with a valid manifest) newest first,
 * and incomplete ones (interrupted, or being written right now).
 */
import type { ObjectStore } from '../object-store/types.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { ManifestInvalidError, SnapshotNotFoundError } from './errors.ts';
import { assertSnapshotId, manifestKey, SNAPSHOTS_PREFIX, snapshotIdOfKey, startMarkerKey } from './layout.ts';
import { manifestRead } from './manifest.ts';
import type { IncompleteSnapshot, SnapshotListing, SnapshotManifest, SnapshotSummary } from './types.ts';

interface Folder {
  id: string;
  objects: number;
  bytes: number;
  hasManifest: boolean;
}

/** Snapshot folders from one listing of `snapshots/`. */
async function snapshotFolders(backup: ObjectStore): Promise<Folder[]> {
  const folders = new Map<string, Folder>();
  for (const object of await backup.list(SNAPSHOTS_PREFIX)) {
    const id = snapshotIdOfKey(object.key);
    if (!id) continue;
    const folder = folders.get(id) ?? { id, objects: 0, bytes: 0, hasManifest: false };
    folder.objects += 1;
    folder.bytes += object.sizeBytes;
    if (object.key === manifestKey(id)) folder.hasManifest = true;
    folders.set(id, folder);
  }
  return [...folders.values()];
}

async function startedAtOf(backup: ObjectStore, id: string): Promise<string | undefined> {
  const got = await backup.get(startMarkerKey(id));
  if (!got) return undefined;
  try {
    const marker = JSON.parse(Buffer.from(got.body).toString('utf8')) as { startedAt?: unknown };
    return typeof marker.startedAt === 'string' ? marker.startedAt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Complete snapshots newest first (by start time, then id), plus incomplete ones.
 * A snapshot whose manifest does not validate counts as incomplete, with the reason.
 * @example const { complete, incomplete } = await listSnapshots(backup); // complete[0].id === 'snap-20261129T030000Z'
 */
export async function listSnapshots(backup: ObjectStore): Promise<SnapshotListing> {
  const folders = await snapshotFolders(backup);
  const complete: SnapshotSummary[] = [];
  const incomplete: IncompleteSnapshot[] = [];
  await mapLimited(folders, DEFAULT_CONCURRENCY, async (folder) => {
    let reason = 'no manifest';
    if (folder.hasManifest) {
      try {
        const manifest = await manifestRead(backup, folder.id);
        if (manifest) {
          const bytes = manifest.objects.reduce((sum, o) => sum + o.sizeBytes, 0);
          complete.push({ id: manifest.id, createdAt: manifest.createdAt, objects: manifest.objects.length, bytes });
          return;
        }
      } catch (error) {
        if (!(error instanceof ManifestInvalidError)) throw error;
        reason = error.message;
      }
    }
    const startedAt = await startedAtOf(backup, folder.id);
    incomplete.push({ id: folder.id, ...(startedAt ? { startedAt } : {}), objects: folder.objects, bytes: folder.bytes, reason });
  });
  complete.sort((a, b) => compareDesc(a.createdAt, b.createdAt) || compareDesc(a.id, b.id));
  incomplete.sort((a, b) => compareDesc(a.startedAt ?? '', b.startedAt ?? '') || compareDesc(a.id, b.id));
  return { complete, incomplete };
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * The manifest of `'latest'` (the newest complete snapshot) or of a snapshot id.
 * @throws SnapshotNotFoundError when there is no such complete snapshot
 * @example const manifest = await resolveSnapshot(backup, 'latest');
 */
export async function resolveSnapshot(backup: ObjectStore, snapshot: string): Promise<SnapshotManifest> {
  let id = snapshot;
  if (snapshot === 'latest') {
    const newest = (await listSnapshots(backup)).complete[0];
    if (!newest) throw new SnapshotNotFoundError(snapshot);
    id = newest.id;
  } else {
    assertSnapshotId(snapshot);
  }
  const manifest = await manifestRead(backup, id);
  if (!manifest) throw new SnapshotNotFoundError(snapshot);
  return manifest;
}
