/**
 * Compaction of one (series, year) partition of any dataset (datasets.ts): recovery of an
 * interrupted run, then the swap.
 *
 * The swap's order is what keeps readers right without a manifest (lib/lake/live-parts.ts):
 * 1. stage the merged file under `year=YYYY/_staging/` (no reader looks there);
 * 2. verify the staged bytes against the inputs;
 * 3. publish the same bytes at the compact key: from this PUT on, readers skip the inputs;
 * 4. delete the staged object, then each input.
 * A crash before 3 leaves the inputs live and a staged orphan; after 3, superseded inputs.
 * The next run deletes either kind of leftover and carries on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactStagingKey } from '../lake/keys.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { mergePartsFor } from './codecs.ts';
import { expectedColumnsOf, timeColumnOf, type LakePartition } from './datasets.ts';
import { CompactionInterruptedError, CompactionVerificationError } from './errors.ts';
import type { ListedPart, PartitionInventory } from './inventory.ts';
import type { PartitionPlan } from './plan.ts';
import type { CompactionHooks, CompactionStep } from './types.ts';
import { compareFingerprints, fingerprintParquet } from './verify.ts';

const PARQUET = { contentType: 'application/vnd.apache.parquet' } as const;

async function afterStep(hooks: CompactionHooks | undefined, step: CompactionStep, prefix: string): Promise<void> {
  try {
    await hooks?.afterStep?.(step, prefix);
  } catch (error) {
    throw new CompactionInterruptedError(step, prefix, error);
  }
}

/** Downloads parts to `dir`; a part gone missing is an error (the caller holds the update lease, nobody else deletes). */
async function downloadAll(store: ObjectStore, keys: readonly string[], dir: string, tag: string): Promise<string[]> {
  const files: string[] = [];
  for (const [i, key] of keys.entries()) {
    const path = join(dir, `${tag}-${i}.parquet`);
    if (!(await store.download(key, path))) throw new Error(`${key} vanished during compaction`);
    files.push(path);
  }
  return files;
}

/**
 * Removes what an interrupted run left: staged orphans, and superseded parts once the compact
 * part covering them is read back whole (were it unreadable, the superseded parts are kept).
 * @returns how many of each were deleted
 */
export async function recoverPartition(
  store: ObjectStore,
  partition: LakePartition,
  plan: PartitionPlan,
  dir: string,
): Promise<{ stagingDeleted: number; supersededDeleted: number }> {
  for (const key of plan.stagedKeys) await store.delete(key);
  const checked = new Set<string>();
  for (const { part, coveredBy } of plan.superseded) {
    if (!checked.has(coveredBy.key)) {
      // Readable: DuckDB reads it whole. Throws (and keeps the superseded part) otherwise.
      await fingerprintParquet(await downloadAll(store, [coveredBy.key], dir, `cover-${checked.size}`), timeColumnOf(partition.dataset));
      checked.add(coveredBy.key);
    }
    await store.delete(part.key);
  }
  return { stagingDeleted: plan.stagedKeys.length, supersededDeleted: plan.superseded.length };
}

/**
 * Merges the planned partition's live parts into one compact part and swaps it in.
 * @returns rows (candles, for OHLCV) in the compact part and its size
 */
export async function swapPartition(
  store: ObjectStore,
  partition: PartitionInventory,
  plan: PartitionPlan & { compact: NonNullable<PartitionPlan['compact']> },
  dir: string,
  hooks?: CompactionHooks,
): Promise<{ rows: number; bytes: number }> {
  const { prefix } = partition;
  const inputs = await downloadAll(store, plan.live.map((p: ListedPart) => p.key), dir, 'input');
  const mergedPath = join(dir, 'merged.parquet');
  const rows = await mergePartsFor(partition)(inputs, mergedPath);
  const body = await readFile(mergedPath);

  const stagingKey = compactStagingKey(plan.compact.key);
  await store.put(stagingKey, body, PARQUET);
  await afterStep(hooks, 'staged', prefix);

  // Verified from the stored object, not the local file: what is published is what was checked.
  const [staged] = await downloadAll(store, [stagingKey], dir, 'staged');
  const timeColumn = timeColumnOf(partition.dataset);
  const problems = compareFingerprints(
    await fingerprintParquet(inputs, timeColumn), await fingerprintParquet([staged!], timeColumn), expectedColumnsOf(partition.dataset),
  );
  if (problems.length > 0) {
    await store.delete(stagingKey);
    throw new CompactionVerificationError(prefix, problems);
  }
  await afterStep(hooks, 'verified', prefix);

  // An S3 server-side copy would do too; a PUT of the verified bytes works on every store.
  await store.put(plan.compact.key, body, PARQUET);
  await afterStep(hooks, 'published', prefix);

  await store.delete(stagingKey);
  for (const part of plan.live) {
    await store.delete(part.key);
    await afterStep(hooks, 'deleted-one', prefix);
  }
  return { rows, bytes: body.byteLength };
}
