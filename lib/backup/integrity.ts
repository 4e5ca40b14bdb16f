/**
 * The integrity check: every lake object readable (Parquet decodes in DuckDB, JSON parses),
 * contract datasets with their declared schema, immutable parts still byte-identical to the
 * snapshot, and every snapshot copy present in the backup with its recorded checksum.
 */
import { mkdir } from 'node:fs/promises';
import type { ObjectStore } from '../object-store/types.ts';
import { backupCopyRead } from './backup-copy.ts';
import { resolveSnapshot } from './catalog.ts';
import { sha256Hex } from './checksum.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { isImmutablePart, isJsonKey, isParquetKey, lakeDatasetOf } from './datasets.ts';
import { BackupUsageError, SnapshotNotFoundError } from './errors.ts';
import { isBackedUpKey, objectPath } from './layout.ts';
import { parquetInspect } from './parquet-inspect.ts';
import { DATASET_SCHEMAS, schemaDifferences } from './schema-check.ts';
import { elapsedSeconds, startTimer } from './timing.ts';
import type { IntegrityDeps, IntegrityOptions, IntegrityProblem, IntegrityReport, ManifestObject, SnapshotManifest } from './types.ts';

type Checked = IntegrityReport['checked'];

/** The snapshot to compare with: the one asked for, else the latest if the backup holds any. */
async function snapshotToCompare(backup: ObjectStore | undefined, requested: string | undefined): Promise<SnapshotManifest | undefined> {
  if (!backup) {
    if (requested !== undefined) throw new BackupUsageError('a snapshot to compare with needs a backup store');
    return undefined;
  }
  try {
    return await resolveSnapshot(backup, requested ?? 'latest');
  } catch (error) {
    if (error instanceof SnapshotNotFoundError && requested === undefined) return undefined;
    throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** What the per-object checks share: where to read, what to compare with, where results go. */
interface CheckContext {
  lake: ObjectStore;
  manifest: SnapshotManifest | undefined;
  entries: ReadonlyMap<string, ManifestObject>;
  tempParent: string | undefined;
  problems: IntegrityProblem[];
  checked: Checked;
}

/** Checks one lake object; pushes what is wrong with it. */
async function checkLakeObject(context: CheckContext, key: string): Promise<void> {
  const { lake, manifest, tempParent, problems, checked } = context;
  const snapshotEntry = context.entries.get(key);
  const got = await lake.get(key);
  if (!got) return; // deleted since the listing (e.g. an alert archived meanwhile): nothing to check
  checked.lakeObjects += 1;
  const path = objectPath(lake.url, key);
  if (isParquetKey(key)) {
    checked.parquet += 1;
    try {
      const { columns } = await parquetInspect(got.body, { decode: true, ...(tempParent ? { tempParent } : {}) });
      const expected = DATASET_SCHEMAS[lakeDatasetOf(key)];
      if (expected) {
        checked.schema += 1;
        const differences = schemaDifferences(expected, columns);
        if (differences.length > 0) problems.push({ path, kind: 'schema', detail: differences.join('; ') });
      }
    } catch (error) {
      problems.push({ path, kind: 'unreadable', detail: `DuckDB cannot read it: ${firstLine(error)}` });
    }
  } else if (isJsonKey(key)) {
    checked.json += 1;
    try {
      JSON.parse(Buffer.from(got.body).toString('utf8'));
    } catch (error) {
      problems.push({ path, kind: 'unreadable', detail: `invalid JSON: ${firstLine(error)}` });
    }
  }
  // Only immutable parts are held to the snapshot's bytes: other objects (latest.json, open
  // alerts, the day's markets) are legitimately rewritten after a snapshot.
  if (snapshotEntry && isImmutablePart(key)) {
    checked.againstSnapshot += 1;
    const sha256 = sha256Hex(got.body);
    if (sha256 !== snapshotEntry.sha256) {
      problems.push({
        path,
        kind: 'checksum',
        detail: `${got.body.byteLength} bytes, sha256 ${sha256}; snapshot ${manifest?.id} recorded ${snapshotEntry.sizeBytes} bytes, sha256 ${snapshotEntry.sha256}`,
      });
    }
  }
}

/**
 * Checks the lake, and with a backup store, the snapshot (default the latest) it is compared with.
 * @example
 * const { problems } = await checkIntegrity({ lake, backup }, { snapshot: 'latest' });
 * // [{ path: 's3://lake/…/part-….parquet', kind: 'checksum', detail: '… sha256 …; snapshot snap-… recorded …' }]
 */
export async function checkIntegrity(deps: IntegrityDeps, options: IntegrityOptions = {}): Promise<IntegrityReport> {
  const started = startTimer();
  const { lake, backup, cacheDir } = deps;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const manifest = await snapshotToCompare(backup, options.snapshot);
  const entries = new Map((manifest?.objects ?? []).map((o) => [o.key, o]));
  if (cacheDir) await mkdir(cacheDir, { recursive: true });

  const problems: IntegrityProblem[] = [];
  const checked: Checked = { lakeObjects: 0, parquet: 0, json: 0, schema: 0, againstSnapshot: 0, backupObjects: 0 };
  const lakeKeys = (await lake.list('')).filter((o) => isBackedUpKey(o.key)).map((o) => o.key);
  const context: CheckContext = { lake, manifest, entries, tempParent: cacheDir, problems, checked };
  await mapLimited(lakeKeys, concurrency, (key) => checkLakeObject(context, key));

  if (backup && manifest) {
    await mapLimited(manifest.objects, concurrency, async (entry) => {
      checked.backupObjects += 1;
      const copy = await backupCopyRead(backup, manifest.id, entry);
      if (!copy.ok) problems.push({ path: copy.path, kind: copy.kind, detail: copy.detail });
    });
  }

  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : 1));
  return { ...(manifest ? { snapshotId: manifest.id } : {}), problems, checked, seconds: elapsedSeconds(started) };
}
