/**
 * What a listing of the lake holds per (series, year) partition: its parts (with sizes) and any
 * staged objects. One listing per top-level prefix the datasets live under (`exchange=`, and the
 * sentiment sources' `source=…` folders); everything else is decided from it.
 */
import { parseOhlcvPartKey, STAGING_FOLDER, type PartRange } from '../lake/keys.ts';
import type { ObjectInfo, ObjectStore } from '../object-store/types.ts';
import { listingPrefixesOf, parseLakePartition, type CompactionDataset, type LakePartition } from './datasets.ts';

/** A part as listed: its range from the name, its size from the listing. */
export interface ListedPart extends PartRange {
  sizeBytes: number;
}

export type PartitionInventory = LakePartition & {
  parts: ListedPart[];
  /** Objects under `year=YYYY/_staging/`. */
  staged: ObjectInfo[];
};

/** Groups listed objects into partitions, in key order; objects that are neither parts nor staged are ignored. */
export function inventoryFromObjects(objects: readonly ObjectInfo[], datasets: readonly CompactionDataset[]): PartitionInventory[] {
  const byPrefix = new Map<string, PartitionInventory>();
  for (const object of objects) {
    const partition = parseLakePartition(object.key);
    if (!partition || !datasets.includes(partition.dataset)) continue;
    const entry: PartitionInventory = byPrefix.get(partition.prefix) ?? { ...partition, parts: [], staged: [] };
    const rest = object.key.slice(partition.prefix.length);
    const part = parseOhlcvPartKey(object.key);
    if (rest.startsWith(`${STAGING_FOLDER}/`)) entry.staged.push(object);
    else if (part) entry.parts.push({ ...part, sizeBytes: object.sizeBytes });
    else continue;
    byPrefix.set(partition.prefix, entry);
  }
  return [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/**
 * Lists every partition of the given datasets, all exchanges, sources and series.
 * @example const partitions = await listPartitions(store, ['ohlcv', 'funding']);
 */
export async function listPartitions(store: ObjectStore, datasets: readonly CompactionDataset[]): Promise<PartitionInventory[]> {
  const objects: ObjectInfo[] = [];
  for (const prefix of listingPrefixesOf(datasets)) objects.push(...(await store.list(prefix)));
  return inventoryFromObjects(objects, datasets);
}

/** The current inventory of one partition (after a swap, for the report). */
export async function listPartition(store: ObjectStore, partition: LakePartition): Promise<PartitionInventory> {
  const objects = await store.list(partition.prefix);
  return inventoryFromObjects(objects, [partition.dataset])[0] ?? { ...partition, parts: [], staged: [] };
}
