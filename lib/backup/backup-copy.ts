/** Reading a snapshot's copy of an object and checking it against the manifest before anyone trusts it. */
import type { ObjectStore } from '../object-store/types.ts';
import { sha256Hex } from './checksum.ts';
import { objectPath, snapshotObjectKey } from './layout.ts';
import type { ManifestObject } from './types.ts';

export type BackupCopy =
  | { ok: true; body: Uint8Array }
  | { ok: false; kind: 'missing' | 'checksum'; path: string; detail: string };

/**
 * The verified bytes of `entry` in snapshot `snapshotId`, or why they cannot be used.
 * @example const copy = await backupCopyRead(backup, manifest.id, manifest.objects[0]); if (copy.ok) await lake.put(key, copy.body);
 */
export async function backupCopyRead(backup: ObjectStore, snapshotId: string, entry: ManifestObject): Promise<BackupCopy> {
  const key = snapshotObjectKey(snapshotId, entry.key);
  const path = objectPath(backup.url, key);
  const got = await backup.get(key);
  if (!got) return { ok: false, kind: 'missing', path, detail: `not in the backup store (snapshot ${snapshotId} lists it)` };
  const sha256 = sha256Hex(got.body);
  if (got.body.byteLength !== entry.sizeBytes || sha256 !== entry.sha256) {
    return {
      ok: false,
      kind: 'checksum',
      path,
      detail: `${got.body.byteLength} bytes, sha256 ${sha256}; snapshot ${snapshotId} recorded ${entry.sizeBytes} bytes, sha256 ${entry.sha256}`,
    };
  }
  return { ok: true, body: got.body };
}
