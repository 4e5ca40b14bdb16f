/**
 * Restoring from a snapshot: makes a scope of the lake identical to the snapshot. Only objects
 * that are missing or differ are written, each verified against the manifest first; then lake
 * objects in scope that the snapshot lacks are deleted. Objects outside the scope are never read
 * for writing or deleted.
 */
import type { ObjectInfo, ObjectStore } from '../object-store/types.ts';
import { backupCopyRead } from './backup-copy.ts';
import { resolveSnapshot } from './catalog.ts';
import { sha256Hex } from './checksum.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { contentTypeOf } from './datasets.ts';
import { BackupObjectCorruptError, BackupUsageError } from './errors.ts';
import { scopeMatcher, scopeOf } from './scope.ts';
import { elapsedSeconds, startTimer } from './timing.ts';
import type {
  ManifestObject,
  RefusedObject,
  RestoreDeps,
  RestoredObject,
  RestoreObjectOptions,
  RestoreObjectReport,
  RestoreOptions,
  RestoreReport,
} from './types.ts';

/** Whether the lake already holds exactly the snapshot's bytes (size first: it rules most changes out without a read). */
async function lakeMatches(lake: ObjectStore, entry: ManifestObject, info: ObjectInfo | undefined): Promise<boolean> {
  if (!info || info.sizeBytes !== entry.sizeBytes) return false;
  const got = await lake.get(entry.key);
  return got !== undefined && sha256Hex(got.body) === entry.sha256;
}

function putRestored(lake: ObjectStore, key: string, body: Uint8Array): Promise<{ etag: string }> {
  const contentType = contentTypeOf(key);
  return lake.put(key, body, contentType ? { contentType } : {});
}

/**
 * Restores `scope` of the lake to a snapshot. A dry run reads (and verifies backup copies) but writes nothing.
 * If any backup copy is refused, deletions are held back: the lake keeps objects the snapshot
 * could not replace.
 * @example
 * const report = await restoreLake({ lake, backup, logger }, { snapshot: 'latest', symbol: 'BTC/USDT', timeframe: '1h' });
 * // { restored: [{ key: '…/part-….parquet', reason: 'missing', … }], deleted: [], unchanged: 3, refused: [], … }
 */
export async function restoreLake(deps: RestoreDeps, options: RestoreOptions): Promise<RestoreReport> {
  const { lake, backup, logger } = deps;
  const started = startTimer();
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const scope = scopeOf(options);
  const inScope = scopeMatcher(scope);
  const manifest = await resolveSnapshot(backup, options.snapshot);
  if (manifest.lake !== lake.url) {
    // Allowed on purpose (recovering into a new bucket), but worth a line in the log.
    logger.warn('restoring a snapshot taken from another lake', { snapshotId: manifest.id, snapshotLake: manifest.lake, lake: lake.url });
  }

  const wanted = manifest.objects.filter((o) => inScope(o.key));
  const present = (await lake.list('')).filter((o) => inScope(o.key));
  const presentByKey = new Map(present.map((o) => [o.key, o]));

  const restored: RestoredObject[] = [];
  const refused: RefusedObject[] = [];
  let unchanged = 0;
  await mapLimited(wanted, concurrency, async (entry) => {
    const info = presentByKey.get(entry.key);
    if (await lakeMatches(lake, entry, info)) {
      unchanged += 1;
      return;
    }
    const copy = await backupCopyRead(backup, manifest.id, entry);
    if (!copy.ok) {
      refused.push({ key: entry.key, path: copy.path, detail: copy.detail });
      logger.error('backup copy refused', { snapshotId: manifest.id, key: entry.key, path: copy.path, detail: copy.detail });
      return;
    }
    if (!dryRun) await putRestored(lake, entry.key, copy.body);
    restored.push({ key: entry.key, sizeBytes: entry.sizeBytes, reason: info ? 'differs' : 'missing' });
  });

  // Deletions come after the writes: a restore cut short has then only added snapshot objects,
  // never removed something it had not yet replaced.
  const wantedKeys = new Set(wanted.map((o) => o.key));
  const extra = present.filter((o) => !wantedKeys.has(o.key)).map((o) => o.key).sort();
  const holdBack = refused.length > 0;
  if (!dryRun && !holdBack) await mapLimited(extra, concurrency, (key) => lake.delete(key));

  const report: RestoreReport = {
    snapshotId: manifest.id,
    dryRun,
    scope,
    restored: restored.sort((a, b) => (a.key < b.key ? -1 : 1)),
    deleted: holdBack ? [] : extra,
    deletionsHeldBack: holdBack ? extra : [],
    unchanged,
    refused: refused.sort((a, b) => (a.key < b.key ? -1 : 1)),
    bytes: restored.reduce((sum, o) => sum + o.sizeBytes, 0),
    seconds: 0,
  };
  report.seconds = elapsedSeconds(started);
  logger.info(dryRun ? 'restore planned' : 'restore done', {
    snapshotId: manifest.id, scope, restored: report.restored.length, deleted: report.deleted.length,
    deletionsHeldBack: report.deletionsHeldBack.length, unchanged, refused: report.refused.length, bytes: report.bytes,
  });
  return report;
}

/**
 * Restores one lake object from a snapshot (e.g. a part integrity found corrupt).
 * @throws BackupUsageError when the snapshot does not hold `key`
 * @throws BackupObjectCorruptError when the backup copy is missing or fails its checksum (the lake is left as it is)
 * @example await restoreObject({ lake, backup, logger }, { snapshot: 'latest', key: 'exchange=binance/dataset=ohlcv/…/part-….parquet' });
 */
export async function restoreObject(deps: RestoreDeps, options: RestoreObjectOptions): Promise<RestoreObjectReport> {
  const { lake, backup, logger } = deps;
  const manifest = await resolveSnapshot(backup, options.snapshot);
  const entry = manifest.objects.find((o) => o.key === options.key);
  if (!entry) throw new BackupUsageError(`snapshot ${manifest.id} does not hold ${options.key}`);
  if (await lakeMatches(lake, entry, await lake.head(entry.key))) {
    return { snapshotId: manifest.id, key: entry.key, action: 'unchanged', bytes: 0 };
  }
  const copy = await backupCopyRead(backup, manifest.id, entry);
  if (!copy.ok) throw new BackupObjectCorruptError(copy.path, copy.detail);
  if (!options.dryRun) await putRestored(lake, entry.key, copy.body);
  logger.info(options.dryRun ? 'object restore planned' : 'object restored', { snapshotId: manifest.id, key: entry.key, bytes: entry.sizeBytes });
  return { snapshotId: manifest.id, key: entry.key, action: 'restored', bytes: entry.sizeBytes };
}
