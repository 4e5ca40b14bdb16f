/**
 * The snapshot manifest: building its dataset totals, writing it as the commit marker, and
 * reading it back validated (a manifest is the only thing a restore trusts).
 */
import { z } from 'zod';
import type { ObjectStore } from '../object-store/types.ts';
import { lakeDatasetOf } from './datasets.ts';
import { ManifestInvalidError } from './errors.ts';
import { manifestKey } from './layout.ts';
import type { DatasetTotals, ManifestObject, SnapshotManifest } from './types.ts';

const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string().min(1),
  createdAt: z.string(),
  completedAt: z.string(),
  lake: z.string(),
  objects: z.array(
    z.object({
      key: z.string().min(1),
      sizeBytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      rows: z.number().int().nonnegative().nullable(),
    }),
  ),
  datasets: z.record(z.string(), z.object({ objects: z.number(), bytes: z.number(), rows: z.number() })),
});

/**
 * Objects, bytes and rows per dataset (unreadable Parquet counts 0 rows).
 * @example datasetTotals([{ key: 'runs/job=update/latest.json', sizeBytes: 10, sha256: '…', rows: 0 }]) // { runs: { objects: 1, bytes: 10, rows: 0 } }
 */
export function datasetTotals(objects: readonly Pick<ManifestObject, 'key' | 'sizeBytes' | 'rows'>[]): Record<string, DatasetTotals> {
  const totals: Record<string, DatasetTotals> = {};
  for (const object of objects) {
    const dataset = lakeDatasetOf(object.key);
    const entry = (totals[dataset] ??= { objects: 0, bytes: 0, rows: 0 });
    entry.objects += 1;
    entry.bytes += object.sizeBytes;
    entry.rows += object.rows ?? 0;
  }
  return totals;
}

/**
 * Writes the manifest create-exclusive: if another run committed the same id meanwhile, this
 * one fails instead of silently replacing a snapshot's contents list.
 */
export async function manifestWrite(backup: ObjectStore, manifest: SnapshotManifest): Promise<void> {
  await backup.put(manifestKey(manifest.id), JSON.stringify(manifest, null, 1), {
    ifNoneMatch: '*',
    contentType: 'application/json',
  });
}

/** Parses and validates manifest bytes; throws {@link ManifestInvalidError}. */
export function manifestParse(id: string, body: Uint8Array): SnapshotManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new ManifestInvalidError(id, (error as Error).message);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestInvalidError(id, issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape');
  }
  if (parsed.data.id !== id) throw new ManifestInvalidError(id, `it names snapshot ${parsed.data.id}`);
  return parsed.data;
}

/**
 * The manifest of snapshot `id`, or `undefined` when the snapshot is incomplete or absent.
 * @example const manifest = await manifestRead(backup, 'snap-20261129T030000Z');
 */
export async function manifestRead(backup: ObjectStore, id: string): Promise<SnapshotManifest | undefined> {
  const got = await backup.get(manifestKey(id));
  return got ? manifestParse(id, got.body) : undefined;
}
