/**
 * What a listing of the lake holds per (series, year) partition: its parts (with sizes) and any
 * staged objects. One listing per dataset; everything else is decided from it.
 */
import { parseOhlcvPartKey, parseSeriesPartition, STAGING_FOLDER, type PartRange, type SeriesDataset, type SeriesPartition } from '../lake/keys.ts';
import type { ObjectInfo, ObjectStore } from '../object-store/types.ts';

/** A part as listed: its range from the name, its size from the listing. */
export interface ListedPart extends PartRange {
  sizeBytes: number;
}

export interface PartitionInventory extends SeriesPartition {
  parts: ListedPart[];
  /** Objects under `year=YYYY/_staging/`. */
  staged: ObjectInfo[];
}

/** Groups listed objects into partitions, in key order; objects that are neither parts nor staged are ignored. */
export function inventoryFromObjects(objects: readonly ObjectInfo[], datasets: readonly SeriesDataset[]): PartitionInventory[] {
  const byPrefix = new Map<string, PartitionInventory>();
  for (const object of objects) {
    const partition = parseSeriesPartition(object.key);
    if (!partition || !datasets.includes(partition.dataset)) continue;
    const entry = byPrefix.get(partition.prefix) ?? { ...partition, parts: [], staged: [] };
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
 * Lists every partition of the given datasets, all exchanges.
 * @example const partitions = await listPartitions(store, ['ohlcv']);
 */
export async function listPartitions(store: ObjectStore, datasets: readonly SeriesDataset[]): Promise<PartitionInventory[]> {
  const objects = await store.list('exchange=');
  return inventoryFromObjects(objects, datasets);
}

/** The current inventory of one partition (after a swap, for the report). */
export async function listPartition(store: ObjectStore, partition: SeriesPartition): Promise<PartitionInventory> {
  const objects = await store.list(partition.prefix);
  return inventoryFromObjects(objects, [partition.dataset])[0] ?? { ...partition, parts: [], staged: [] };
}
