/** Errors of the backup module, so callers (CLI, job wiring) can tell a usage error from an outage. */

/** A snapshot with this id already exists (complete or not): ids are never reused. */
export class SnapshotExistsError extends Error {
  override readonly name = 'SnapshotExistsError';
  constructor(readonly snapshotId: string) {
    super(`snapshot ${snapshotId} already exists in the backup store`);
  }
}

/** No complete snapshot matches the requested id (or none exists for `latest`). */
export class SnapshotNotFoundError extends Error {
  override readonly name = 'SnapshotNotFoundError';
  constructor(readonly requested: string) {
    super(requested === 'latest' ? 'the backup store holds no complete snapshot' : `no complete snapshot "${requested}"`);
  }
}

/** A manifest that does not parse or does not have the expected shape. */
export class ManifestInvalidError extends Error {
  override readonly name = 'ManifestInvalidError';
  constructor(readonly snapshotId: string, reason: string) {
    super(`manifest of snapshot ${snapshotId} is invalid: ${reason}`);
  }
}

/** A copy in the backup store does not match what the snapshot recorded (or is gone). */
export class BackupObjectCorruptError extends Error {
  override readonly name = 'BackupObjectCorruptError';
  constructor(readonly path: string, readonly detail: string) {
    super(`backup object ${path}: ${detail}`);
  }
}

/** Bad options (an invalid id, `keep` below 1, a key outside the snapshot). */
export class BackupUsageError extends Error {
  override readonly name = 'BackupUsageError';
}
