/**
 * Compaction of one (series, year) partition: recovery of an interrupted run, then the swap.
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
import { MERGE_PARTS } from './codecs.ts';
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
  plan: PartitionPlan,
  dir: string,
): Promise<{ stagingDeleted: number; supersededDeleted: number }> {
  for (const key of plan.stagedKeys) await store.delete(key);
  const checked = new Set<string>();
  for (const { part, coveredBy } of plan.superseded) {
    if (!checked.has(coveredBy.key)) {
      // Readable: DuckDB reads it whole. Throws (and keeps the superseded part) otherwise.
      await fingerprintParquet(await downloadAll(store, [coveredBy.key], dir, `cover-${checked.size}`));
      checked.add(coveredBy.key);
    }
    await store.delete(part.key);
  }
  return { stagingDeleted: plan.stagedKeys.length, supersededDeleted: plan.superseded.length };
}

/**
 * Merges the planned partition's live parts into one compact part and swaps it in.
 * @returns rows in the compact part and its size
 */
export async function swapPartition(
  store: ObjectStore,
  partition: PartitionInventory,
  plan: PartitionPlan & { compact: NonNullable<PartitionPlan['compact']> },
  dir: string,
  hooks?: CompactionHooks,
): Promise<{ candles: number; bytes: number }> {
  const { prefix } = partition;
  const inputs = await downloadAll(store, plan.live.map((p: ListedPart) => p.key), dir, 'input');
  const mergedPath = join(dir, 'merged.parquet');
  const candles = await MERGE_PARTS[partition.dataset](inputs, mergedPath);
  const body = await readFile(mergedPath);

  const stagingKey = compactStagingKey(plan.compact.key);
  await store.put(stagingKey, body, PARQUET);
  await afterStep(hooks, 'staged', prefix);

  // Verified from the stored object, not the local file: what is published is what was checked.
  const [staged] = await downloadAll(store, [stagingKey], dir, 'staged');
  const problems = compareFingerprints(await fingerprintParquet(inputs), await fingerprintParquet([staged!]));
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
  return { candles, bytes: body.byteLength };
}
