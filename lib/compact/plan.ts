/**
 * The decision for one partition, from its listing alone (pure): which leftovers of an
 * interrupted run to remove, and whether its live parts need merging, into which key.
 */
import { partitionParts, supersedingPart } from '../lake/live-parts.ts';
import { compactKeyOf } from './datasets.ts';
import type { ListedPart, PartitionInventory } from './inventory.ts';

export interface PartitionPlan {
  /** Staged objects of an interrupted run: never published, so nobody reads them. */
  stagedKeys: string[];
  /** Superseded parts still stored, each with the compact part that holds its rows. */
  superseded: Array<{ part: ListedPart; coveredBy: ListedPart }>;
  /** The live parts; merged when there are two or more. */
  live: ListedPart[];
  /** Set when the live parts are to be merged. */
  compact?: { key: string; generation: number; firstMs: number; lastMs: number };
}

/**
 * Plans one partition.
 * @example planPartition(inventory).compact?.key // '…/year=2024/compact-20240101T0000Z-20240105T2300Z-g1.parquet'
 */
export function planPartition(partition: PartitionInventory): PartitionPlan {
  const { live, superseded } = partitionParts(partition.parts);
  const plan: PartitionPlan = {
    stagedKeys: partition.staged.map((o) => o.key),
    superseded: superseded.map((part) => ({ part, coveredBy: supersedingPart(part, partition.parts)! })),
    live,
  };
  if (live.length < 2) return plan;
  // The new part's range is the union of the live ranges, so it covers (supersedes) each of them;
  // its generation tops every part in the folder, superseded ones included, so its key is new.
  const generation = 1 + Math.max(0, ...partition.parts.map((p) => p.generation ?? 0));
  const firstMs = Math.min(...live.map((p) => p.firstOpenTimeMs));
  const lastMs = Math.max(...live.map((p) => p.lastOpenTimeMs));
  plan.compact = { key: compactKeyOf(partition, firstMs, lastMs, generation), generation, firstMs, lastMs };
  return plan;
}
