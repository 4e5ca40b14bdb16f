/**
 * The supersession rule: which parts of a per-series dataset a reader must read. Compaction
 * replaces many parts with one without a manifest by publishing the compact part first and
 * deleting the parts it replaced afterwards; between the two (or after a crash) both are
 * stored, and this rule is what keeps every candle visible exactly once.
 *
 * A part is superseded when, in the same folder (series and year), a compact part
 * (`compact-<first>-<last>-g<n>.parquet`) covers its range (`first <= its first`,
 * `last >= its last`) and the part is a plain `part-…` or a compact part of a lower generation.
 * Every other part is live. README.md states the same rule for readers outside this code base.
 */
import type { PartRange } from './keys.ts';

function folderOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** `true` when `compact` supersedes `part` (both of the same folder). */
export function supersedes(compact: PartRange, part: PartRange): boolean {
  if (compact.generation === undefined || compact.key === part.key) return false;
  const covers = compact.firstOpenTimeMs <= part.firstOpenTimeMs && compact.lastOpenTimeMs >= part.lastOpenTimeMs;
  return covers && (part.generation === undefined || part.generation < compact.generation);
}

/**
 * Splits parts (of any series and years: grouped by folder here) into the live ones and the
 * superseded ones, each in input order.
 * @example const { live, superseded } = partitionParts(parts);
 */
export function partitionParts<T extends PartRange>(parts: readonly T[]): { live: T[]; superseded: T[] } {
  const compactsByFolder = new Map<string, T[]>();
  for (const part of parts) {
    if (part.generation === undefined) continue;
    const folder = folderOf(part.key);
    const list = compactsByFolder.get(folder) ?? [];
    list.push(part);
    compactsByFolder.set(folder, list);
  }
  const live: T[] = [];
  const superseded: T[] = [];
  for (const part of parts) {
    const compacts = compactsByFolder.get(folderOf(part.key)) ?? [];
    (compacts.some((c) => supersedes(c, part)) ? superseded : live).push(part);
  }
  return { live, superseded };
}

/**
 * The parts a reader must read: every part no compact part supersedes, in input order.
 * @example liveParts(await listedParts) // drops `part-…` files a `compact-…` file already holds
 */
export function liveParts<T extends PartRange>(parts: readonly T[]): T[] {
  return partitionParts(parts).live;
}

/** The compact part that supersedes `part`, preferring the highest generation; `undefined` when it is live. */
export function supersedingPart<T extends PartRange>(part: PartRange, parts: readonly T[]): T | undefined {
  const folder = folderOf(part.key);
  return parts
    .filter((c) => folderOf(c.key) === folder && supersedes(c, part))
    .sort((a, b) => b.generation! - a.generation!)[0];
}
