/**
 * Taking a snapshot: every lake object (leases excepted) copied to
 * `snapshots/<id>/objects/<key>`, each copy verified by checksum, then the manifest written last
 * as the commit marker. A run that dies midway leaves a folder without a manifest, which
 * listings report as incomplete and retention removes.
 */
import { PreconditionFailedError } from '../object-store/errors.ts';
import type { ObjectInfo, ObjectStore } from '../object-store/types.ts';
import { sha256Hex } from './checksum.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { contentTypeOf, isParquetKey } from './datasets.ts';
import { BackupObjectCorruptError, BackupUsageError, SnapshotExistsError } from './errors.ts';
import { assertSnapshotId, isBackedUpKey, objectPath, retrySnapshotId, snapshotIdFor, snapshotObjectKey, snapshotPrefix, startMarkerKey } from './layout.ts';
import { datasetTotals, manifestWrite } from './manifest.ts';
import { parquetInspect } from './parquet-inspect.ts';
import { elapsedSeconds, startTimer } from './timing.ts';
import type { ManifestObject, SnapshotDeps, SnapshotManifest, SnapshotOptions, SnapshotReport } from './types.ts';

/** The lake objects a snapshot copies, in key order. */
export async function snapshotCandidates(lake: ObjectStore): Promise<ObjectInfo[]> {
  return (await lake.list('')).filter((o) => isBackedUpKey(o.key));
}

/**
 * Snapshots the lake into the backup store.
 * @throws SnapshotExistsError when anything already exists under `snapshots/<id>/` of an id given in `options.id`
 * @throws BackupObjectCorruptError when a copy does not read back with the checksum just computed (no manifest is written)
 * @example
 * const report = await snapshotLake({ lake, backup, clock: systemClock, logger }, {});
 * // { id: 'snap-20261129T030000Z', objects: 1520, bytes: 412_000_000, seconds: 41.2, mbPerSecond: 10, … }
 */
export async function snapshotLake(deps: SnapshotDeps, options: SnapshotOptions = {}): Promise<SnapshotReport> {
  const { lake, backup, clock, logger } = deps;
  const started = startTimer();
  const startedAtMs = clock.nowMs();
  if (options.id !== undefined) assertSnapshotId(options.id);
  assertSeparateStores(lake.url, backup.url);
  const id = options.id ?? (await freeDefaultId(backup, startedAtMs));
  if (options.id !== undefined && (await isTaken(backup, id))) throw new SnapshotExistsError(id);

  const candidates = await snapshotCandidates(lake);
  const dryRun = options.dryRun ?? false;
  if (dryRun) {
    const planned = candidates.map((o) => ({ key: o.key, sizeBytes: o.sizeBytes, rows: 0 }));
    return report(id, true, planned, [], started);
  }

  // The marker claims the id create-exclusive (two runs racing on one id: one loses here) and
  // dates an interrupted snapshot for retention, which must not delete one still being written.
  await backup.put(startMarkerKey(id), JSON.stringify({ id, startedAt: new Date(startedAtMs).toISOString(), lake: lake.url }), {
    ifNoneMatch: '*',
    contentType: 'application/json',
  }).catch((error: unknown) => {
    throw error instanceof PreconditionFailedError ? new SnapshotExistsError(id) : error;
  });
  logger.info('snapshot started', { snapshotId: id, objects: candidates.length, lake: lake.url, backup: backup.url });

  const vanished: string[] = [];
  const copied = await mapLimited(candidates, options.concurrency ?? DEFAULT_CONCURRENCY, async (object) => {
    const entry = await copyObject(deps, id, object.key);
    if (!entry) vanished.push(object.key);
    return entry;
  });
  const objects = copied.filter((o): o is ManifestObject => o !== undefined).sort((a, b) => (a.key < b.key ? -1 : 1));
  if (vanished.length > 0) logger.warn('objects deleted while the snapshot ran were left out', { snapshotId: id, keys: vanished });

  const manifest: SnapshotManifest = {
    format: 1,
    id,
    createdAt: new Date(startedAtMs).toISOString(),
    completedAt: new Date(clock.nowMs()).toISOString(),
    lake: lake.url,
    objects,
    datasets: datasetTotals(objects),
  };
  await manifestWrite(backup, manifest);
  const result = report(id, false, objects, vanished.sort(), started);
  const { datasets, ...totals } = result;
  logger.info('snapshot complete', { ...totals, datasets: Object.keys(datasets).length });
  return result;
}

async function isTaken(backup: ObjectStore, id: string): Promise<boolean> {
  return (await backup.list(snapshotPrefix(id))).length > 0;
}

/**
 * The snapshot id of a run started at `startedAtMs`. An id the caller chose must be new; the
 * default one steps aside instead, so a rerun within the same second as a killed run works.
 */
async function freeDefaultId(backup: ObjectStore, startedAtMs: number): Promise<string> {
  const base = snapshotIdFor(startedAtMs);
  if (!(await isTaken(backup, base))) return base;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const id = retrySnapshotId(base);
    if (!(await isTaken(backup, id))) return id;
  }
  throw new SnapshotExistsError(base);
}

/**
 * The backup must live outside the lake: nested inside it, every snapshot would copy the
 * earlier ones; the lake nested inside the backup would be listed as snapshot folders.
 */
function assertSeparateStores(lakeUrl: string, backupUrl: string): void {
  const lakeRoot = `${lakeUrl.replace(/\/+$/, '')}/`;
  const backupRoot = `${backupUrl.replace(/\/+$/, '')}/`;
  if (backupRoot.startsWith(lakeRoot) || lakeRoot.startsWith(backupRoot)) {
    throw new BackupUsageError(`the backup store (${backupUrl}) and the lake (${lakeUrl}) must not contain one another`);
  }
}

function withContentType(key: string): { contentType?: string } {
  const contentType = contentTypeOf(key);
  return contentType ? { contentType } : {};
}

/**
 * Copies one object and verifies the copy. Returns `undefined` when the object vanished after
 * the listing (a concurrent job removed it: it is not part of this snapshot).
 */
async function copyObject(deps: SnapshotDeps, id: string, key: string): Promise<ManifestObject | undefined> {
  const { lake, backup, logger } = deps;
  const got = await lake.get(key);
  if (!got) return undefined;
  const sha256 = sha256Hex(got.body);
  const rows = isParquetKey(key) ? await parquetRows(got.body, key, logger) : 0;
  const target = snapshotObjectKey(id, key);
  await backup.put(target, got.body, withContentType(key));
  // Read back rather than trust the write: the manifest must only vouch for bytes the backup
  // store actually returns.
  const back = await backup.get(target);
  const backSha = back ? sha256Hex(back.body) : undefined;
  if (backSha !== sha256) {
    throw new BackupObjectCorruptError(objectPath(backup.url, target), back ? `sha256 ${backSha} after copy, expected ${sha256}` : 'missing right after it was written');
  }
  return { key, sizeBytes: got.body.byteLength, sha256, rows };
}

/** Row count from the Parquet footer; `null` (and a warning) when DuckDB cannot read it: the bytes are still backed up as they are. */
async function parquetRows(body: Uint8Array, key: string, logger: SnapshotDeps['logger']): Promise<number | null> {
  try {
    return (await parquetInspect(body)).rows;
  } catch (error) {
    logger.warn('Parquet object unreadable; backed up as is', { key, reason: (error as Error).message.split('\n')[0] });
    return null;
  }
}

function report(
  id: string,
  dryRun: boolean,
  objects: ReadonlyArray<Pick<ManifestObject, 'key' | 'sizeBytes' | 'rows'>>,
  vanished: string[],
  started: number,
): SnapshotReport {
  const bytes = objects.reduce((sum, o) => sum + o.sizeBytes, 0);
  const seconds = elapsedSeconds(started);
  return {
    id,
    dryRun,
    objects: objects.length,
    bytes,
    seconds,
    mbPerSecond: seconds > 0 ? Math.round((bytes / 1e6 / seconds) * 100) / 100 : 0,
    datasets: datasetTotals(objects),
    vanished,
  };
}

