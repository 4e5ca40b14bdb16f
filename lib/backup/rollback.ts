/**
 * Rollback of the lake to an earlier time, using the object versions a versioned bucket keeps
 * (S3 with versioning; non-current versions are kept for a while by a lifecycle rule). For each
 * key the state at the chosen time is its newest version (or delete marker) written at or before
 * it; objects whose state now differs are put back by re-putting the old version's bytes (so it
 * becomes the newest version and the history stays intact), and objects that did not exist then
 * are deleted. It works object by object, so it needs no knowledge of the lake's layout or of the
 * live-parts rule. Leases (`leases/`) are never touched: they belong to the jobs running now.
 *
 * S3 records `lastModified` to the second, so a time within the same second as a change cannot
 * tell before from after: pick a time at least a second away from the change to undo.
 */
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import { PreconditionFailedError } from '../object-store/errors.ts';
import { isVersioned, type ObjectStore, type ObjectVersion, type VersionedObjectStore } from '../object-store/types.ts';
import { DEFAULT_CONCURRENCY, mapLimited } from './concurrency.ts';
import { contentTypeOf } from './datasets.ts';
import { elapsedSeconds, startTimer } from './timing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long the lake bucket keeps non-current versions (its lifecycle rule): the furthest a rollback is known to be exact. */
export const ROLLBACK_HISTORY_MS = 7 * DAY;

/** Keys rollback never reads or changes. */
const SKIPPED_PREFIXES = ['leases/'];

/** Why a rollback was refused. */
export type RollbackRefusal = 'not-versioned' | 'invalid-time' | 'future' | 'too-old' | 'version-missing';

/** A rollback that cannot be done as asked (nothing was changed, unless `reason` is `version-missing`). */
export class RollbackError extends Error {
  override readonly name = 'RollbackError';
  constructor(readonly reason: RollbackRefusal, message: string) {
    super(message);
  }
}

export interface RollbackDeps {
  lake: ObjectStore;
  logger: JobLogger;
  clock: Clock;
}

export interface RollbackOptions {
  /** The time to go back to, ms since the epoch (the CLI parses `--to` with lib/cli/time-flag.ts). */
  toMs: number;
  /** Plan only: list what would change, write nothing. */
  dryRun?: boolean;
  /** Only keys starting with this (relative to the lake root); default the whole lake. */
  prefix?: string;
  /** Objects handled at once (default 8). */
  concurrency?: number;
  /**
   * How far back the lake's history is known to be complete (default {@link ROLLBACK_HISTORY_MS},
   * the bucket's non-current version retention). Older times are refused.
   */
  historyMs?: number;
}

/** An object put back to the version that was current at the rollback time. */
export interface RolledBackObject {
  key: string;
  /** The old version whose bytes were re-put. */
  versionId: string;
  sizeBytes: number;
  /** `overwritten`: the key holds other bytes now; `deleted`: the key was deleted since. */
  reason: 'overwritten' | 'deleted';
}

export interface RollbackReport {
  /** The rollback time, ISO 8601. */
  toIso: string;
  /** The earliest time this lake could have been rolled back to, ISO 8601. */
  earliestIso: string;
  dryRun: boolean;
  /** Put back (or, on a dry run, to put back), in key order. */
  restored: RolledBackObject[];
  /** Objects that did not exist at the rollback time (or were deleted then), deleted now; key order. */
  deleted: string[];
  /** Objects present both then and now with the same bytes. */
  unchanged: number;
  /** Objects another writer changed while the rollback ran: left as that writer left them. */
  conflicts: string[];
  seconds: number;
}

/** What one key needs, decided from its versions. */
type KeyPlan =
  | { action: 'unchanged' }
  | { action: 'none' }
  | { action: 'restore'; target: ObjectVersion; current: ObjectVersion | undefined }
  | { action: 'delete'; current: ObjectVersion };

/**
 * Rolls the lake (or `prefix` of it) back to its state at `toMs`.
 * Writes come first, deletions after, so a rollback cut short has only put old versions back.
 * @throws RollbackError when the lake keeps no versions (a local folder, or an S3 bucket without
 *   versioning), or `toMs` is in the future or older than the history the lake keeps
 * @example
 * const report = await rollbackLake({ lake, logger, clock }, { toMs: clock.nowMs() - 48 * 3_600_000 });
 * // { toIso: '2026-11-27T22:00:00.000Z', restored: [{ key: 'runs/job=update/latest.json', versionId: '…', … }], deleted: ['…/part-….parquet'], unchanged: 41, … }
 */
export async function rollbackLake(deps: RollbackDeps, options: RollbackOptions): Promise<RollbackReport> {
  const { lake, logger, clock } = deps;
  const started = startTimer();
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const historyMs = options.historyMs ?? ROLLBACK_HISTORY_MS;
  const { toMs } = options;
  const nowMs = clock.nowMs();

  if (!isVersioned(lake)) throw notVersioned(lake.url);
  if (!Number.isFinite(toMs)) throw new RollbackError('invalid-time', `invalid rollback time ${toMs}`);
  if (toMs > nowMs) {
    throw new RollbackError('future', `cannot roll back to ${iso(toMs)}: it is in the future (now is ${iso(nowMs)})`);
  }

  const versions = (await lake.listVersions(options.prefix ?? '')).filter((v) => !SKIPPED_PREFIXES.some((p) => v.key.startsWith(p)));
  // A bucket that never had versioning on lists one version per key, each with the id `null`.
  if (versions.length > 0 && versions.every((v) => v.versionId === 'null')) throw notVersioned(lake.url);
  const oldestMs = Math.min(...versions.map((v) => v.lastModified.getTime()));
  const earliestMs = Math.max(nowMs - historyMs, Number.isFinite(oldestMs) ? oldestMs : -Infinity);
  if (toMs < earliestMs) {
    const why = earliestMs === oldestMs
      ? `the oldest version the lake keeps was written at ${iso(oldestMs)}`
      : `non-current versions are kept ${formatDuration(historyMs)}, so older states may be incomplete`;
    throw new RollbackError(
      'too-old',
      `cannot roll back to ${iso(toMs)}: the lake can go back to ${iso(earliestMs)} at the earliest (${formatDuration(nowMs - earliestMs)} ago; ${why})`,
    );
  }

  const restores: Array<{ target: ObjectVersion; current: ObjectVersion | undefined }> = [];
  const deletes: ObjectVersion[] = [];
  let unchanged = 0;
  for (const keyVersions of groupByKey(versions)) {
    const plan = planKey(keyVersions, toMs);
    if (plan.action === 'unchanged') unchanged += 1;
    else if (plan.action === 'restore') restores.push(plan);
    else if (plan.action === 'delete') deletes.push(plan.current);
  }

  const conflicts: string[] = [];
  const restored: RolledBackObject[] = [];
  const deleted: string[] = [];
  await mapLimited(restores, concurrency, async ({ target, current }) => {
    const entry: RolledBackObject = {
      key: target.key,
      versionId: target.versionId,
      sizeBytes: target.sizeBytes,
      reason: current && !current.isDeleteMarker ? 'overwritten' : 'deleted',
    };
    if (!dryRun && !(await putBack(lake, target, current))) {
      conflicts.push(target.key);
      logger.warn('rollback skipped an object changed meanwhile', { key: target.key });
      return;
    }
    restored.push(entry);
  });
  await mapLimited(deletes, concurrency, async (current) => {
    if (!dryRun) {
      // The port has no conditional delete: check the object is still the one planned on.
      const info = await lake.head(current.key);
      if (info === undefined) return; // deleted meanwhile: nothing left to do
      if (info.etag !== current.etag) {
        conflicts.push(current.key);
        logger.warn('rollback skipped an object changed meanwhile', { key: current.key });
        return;
      }
      await lake.delete(current.key);
    }
    deleted.push(current.key);
  });

  const report: RollbackReport = {
    toIso: iso(toMs),
    earliestIso: iso(earliestMs),
    dryRun,
    restored: restored.sort((a, b) => compareKeys(a.key, b.key)),
    deleted: deleted.sort(compareKeys),
    unchanged,
    conflicts: conflicts.sort(compareKeys),
    seconds: elapsedSeconds(started),
  };
  logger.info(dryRun ? 'rollback planned' : 'rollback done', {
    to: report.toIso, restored: report.restored.length, deleted: report.deleted.length, unchanged, conflicts: report.conflicts.length,
  });
  return report;
}

/** The key's state at `toMs` against its state now. `keyVersions`: one key, newest first. */
function planKey(keyVersions: readonly ObjectVersion[], toMs: number): KeyPlan {
  const current = keyVersions.find((v) => v.isLatest) ?? keyVersions[0]!;
  const live = current.isDeleteMarker ? undefined : current;
  const then = keyVersions.find((v) => v.lastModified.getTime() <= toMs);
  const liveThen = then === undefined || then.isDeleteMarker ? undefined : then;
  if (liveThen === undefined) return live === undefined ? { action: 'none' } : { action: 'delete', current: live };
  if (live !== undefined && (live.versionId === liveThen.versionId || sameBytes(live, liveThen))) return { action: 'unchanged' };
  return { action: 'restore', target: liveThen, current };
}

/** Same content, as far as the listing tells (an S3 ETag of a single-part upload is its MD5). */
function sameBytes(a: ObjectVersion, b: ObjectVersion): boolean {
  return a.etag !== '' && a.etag === b.etag && a.sizeBytes === b.sizeBytes;
}

/**
 * Re-puts `target`'s bytes as the key's newest version, on condition that the key is still as
 * planned (`current`). Returns false when another writer changed it in between.
 */
async function putBack(lake: VersionedObjectStore, target: ObjectVersion, current: ObjectVersion | undefined): Promise<boolean> {
  const got = await lake.getVersion(target.key, target.versionId);
  if (got === undefined) {
    throw new RollbackError('version-missing', `version ${target.versionId} of ${target.key} is gone (expired meanwhile?); the rollback stopped part-way`);
  }
  const contentType = contentTypeOf(target.key);
  const condition = current && !current.isDeleteMarker ? { ifMatch: current.etag } : { ifNoneMatch: '*' as const };
  try {
    await lake.put(target.key, got.body, { ...condition, ...(contentType ? { contentType } : {}) });
    return true;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
}

/** Consecutive runs of one key (the listing is in key order). */
function groupByKey(versions: readonly ObjectVersion[]): ObjectVersion[][] {
  const groups: ObjectVersion[][] = [];
  for (const version of versions) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]!.key === version.key) last.push(version);
    else groups.push([version]);
  }
  return groups;
}

function notVersioned(url: string): RollbackError {
  return new RollbackError(
    'not-versioned',
    `rollback needs a versioned lake (S3 with versioning); for a local lake restore a snapshot (lake: ${url})`,
  );
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `7d`, `2d 3h`, `45m`, `12s`: a duration for messages. */
function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m && !d ? `${m}m` : '', !d && !h && !m ? `${seconds % 60}s` : ''].filter(Boolean);
  return parts.join(' ');
}
