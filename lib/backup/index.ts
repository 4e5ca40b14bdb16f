/**
 * Backups of the lake: snapshots into a separate store, retention, integrity checks and
 * restores (whole lake, a scope of it, or one object).
 */
export type * from './types.ts';
export {
  BackupObjectCorruptError,
  BackupUsageError,
  ManifestInvalidError,
  SnapshotExistsError,
  SnapshotNotFoundError,
} from './errors.ts';
export { snapshotLake } from './snapshot.ts';
export { listSnapshots, resolveSnapshot } from './catalog.ts';
export { applyRetention, RETENTION_DEFAULTS } from './retention.ts';
export { checkIntegrity } from './integrity.ts';
export { restoreLake, restoreObject } from './restore.ts';
export { manifestKey, snapshotIdFor, snapshotObjectKey, snapshotPrefix } from './layout.ts';
export { rollbackLake, RollbackError, ROLLBACK_HISTORY_MS, type RollbackDeps, type RollbackOptions, type RollbackRefusal, type RollbackReport, type RolledBackObject } from './rollback.ts';
