/** Types of the backup module: its ports, the snapshot manifest, and what each operation reports. */
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** What every backup operation needs: the lake it protects and the store holding its snapshots. */
export interface BackupStores {
  lake: ObjectStore;
  backup: ObjectStore;
}

export interface SnapshotDeps extends BackupStores {
  clock: Clock;
  logger: JobLogger;
}

export interface SnapshotOptions {
  /** Snapshot id, which must be new; default `snap-<UTC second of clock.nowMs()>`, e.g. `snap-20261129T030000Z` (plus a random suffix when a killed run in the same second holds that id). */
  id?: string;
  /** List what would be copied, write nothing. */
  dryRun?: boolean;
  /** Objects copied at once (default 8). */
  concurrency?: number;
}

/** One lake object as a snapshot recorded it. */
export interface ManifestObject {
  /** Lake key (the backup copy is at `snapshots/<id>/objects/<key>`). */
  key: string;
  sizeBytes: number;
  /** Hex SHA-256 of the bytes read from the lake. */
  sha256: string;
  /** Parquet row count; 0 for JSON and other objects; `null` for a Parquet object DuckDB could not read. */
  rows: number | null;
}

/** Totals of one dataset (`ohlcv`, `markets`, `runs`, `alerts`, …) in a snapshot. */
export interface DatasetTotals {
  objects: number;
  bytes: number;
  rows: number;
}

/** `snapshots/<id>/manifest.json`: written last, so its presence is what makes a snapshot complete. */
export interface SnapshotManifest {
  format: 1;
  id: string;
  /** When the snapshot started (the job's clock), ISO 8601. */
  createdAt: string;
  /** When the manifest was written (the job's clock), ISO 8601. */
  completedAt: string;
  /** URL of the lake the snapshot was taken from. */
  lake: string;
  objects: ManifestObject[];
  datasets: Record<string, DatasetTotals>;
}

export interface SnapshotReport {
  id: string;
  dryRun: boolean;
  objects: number;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  /** Per dataset; rows are 0 on a dry run (nothing is read). */
  datasets: Record<string, DatasetTotals>;
  /** Listed objects that were gone by the time they were read (deleted by a concurrent job). */
  vanished: string[];
}

/** A complete snapshot as {@link listSnapshots} reports it. */
export interface SnapshotSummary {
  id: string;
  createdAt: string;
  objects: number;
  bytes: number;
}

/** A snapshot folder without a manifest: interrupted, or still being written. */
export interface IncompleteSnapshot {
  id: string;
  /** From its start marker; `undefined` when the marker is missing too. */
  startedAt?: string;
  /** Objects under `snapshots/<id>/`. */
  objects: number;
  bytes: number;
  /** `no manifest`, or why the manifest was rejected. */
  reason: string;
}

export interface SnapshotListing {
  /** Newest first. */
  complete: SnapshotSummary[];
  incomplete: IncompleteSnapshot[];
}

export interface RetentionOptions {
  /** Complete snapshots to keep, newest first (at least 1; default 3). */
  keep?: number;
  dryRun?: boolean;
}

export interface RetentionReport {
  dryRun: boolean;
  kept: string[];
  /** Complete snapshots deleted (or that would be, on a dry run). */
  deletedComplete: string[];
  /** Incomplete snapshots deleted: only those started before the newest complete one. */
  deletedIncomplete: string[];
  objectsDeleted: number;
}

export type IntegrityProblemKind = 'unreadable' | 'checksum' | 'missing' | 'schema';

export interface IntegrityProblem {
  /** Store URL and key, e.g. `s3://bucket/lake/exchange=binance/…/part-….parquet`. */
  path: string;
  kind: IntegrityProblemKind;
  detail: string;
}

export interface IntegrityDeps {
  lake: ObjectStore;
  /** Without it only the lake's own readability and schemas are checked. */
  backup?: ObjectStore;
  /** Parent folder for the temp copies DuckDB reads (default: the OS temp folder). */
  cacheDir?: string;
}

export interface IntegrityOptions {
  /** Snapshot to compare against (default `'latest'` when a backup store is given and holds one). */
  snapshot?: string;
  concurrency?: number;
}

export interface IntegrityReport {
  /** The snapshot compared against, if any. */
  snapshotId?: string;
  problems: IntegrityProblem[];
  checked: {
    lakeObjects: number;
    parquet: number;
    json: number;
    /** Parquet objects whose columns were compared with their dataset's schema. */
    schema: number;
    /** Immutable lake parts compared with the snapshot's checksum. */
    againstSnapshot: number;
    backupObjects: number;
  };
  seconds: number;
}

export interface RestoreDeps extends BackupStores {
  logger: JobLogger;
}

/** Which part of the lake a restore may touch; every given filter must match. */
export interface RestoreScope {
  /** `ohlcv`, `markets`, `features`, `backtest_runs`, … (the `dataset=` key segment). */
  dataset?: string;
  /** Unified (`BTC/USDT`) or path form (`BTC-USDT`). */
  symbol?: string;
  timeframe?: string;
}

export interface RestoreOptions extends RestoreScope {
  /** `'latest'` or a snapshot id. */
  snapshot: string;
  dryRun?: boolean;
  concurrency?: number;
}

export interface RestoredObject {
  key: string;
  sizeBytes: number;
  /** Why it was (or would be) written. */
  reason: 'missing' | 'differs';
}

export interface RefusedObject {
  key: string;
  /** Backup URL of the bad copy. */
  path: string;
  detail: string;
}

export interface RestoreReport {
  snapshotId: string;
  dryRun: boolean;
  scope: RestoreScope;
  restored: RestoredObject[];
  /** Lake objects in scope the snapshot does not have. */
  deleted: string[];
  /**
   * Deletions held back because some backup objects were refused: removing lake objects whose
   * snapshot replacement could not be written would lose data.
   */
  deletionsHeldBack: string[];
  unchanged: number;
  /** Backup copies that failed their checksum or were missing: not written to the lake. */
  refused: RefusedObject[];
  bytes: number;
  seconds: number;
}

export interface RestoreObjectOptions {
  snapshot: string;
  key: string;
  dryRun?: boolean;
}

export interface RestoreObjectReport {
  snapshotId: string;
  key: string;
  action: 'restored' | 'unchanged';
  bytes: number;
}
