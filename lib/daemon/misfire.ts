/**
 * Misfires: whether a job's latest slot passed while the daemon was down, decided from the lake's
 * run records (the same facts the health probe judges). Pure. A job is caught up once, however
 * many slots it missed: only the latest slot counts.
 */
import { Cron } from 'croner';
import { dueSince, RUN_GRACE_MS } from '../status/rules.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';

/** What the lake says about a job when the daemon starts. */
export interface MisfireFacts {
  job: JobName;
  nowMs: number;
  /** Start of the job's latest run record, if it ever ran. */
  lastStartedMs?: number;
  /** That record's outcome (`running` with an end time: an interrupted backtest that resumes). */
  lastOutcome?: string;
  /** The lake's first update run: a slot before it was never due. */
  installedMs?: number;
  /** Caps the catch-up window (default: the job's period — 24 h daily, 7 days weekly). */
  windowMs?: number;
}

/**
 * Jobs whose unfinished run (stopped with the daemon, or dead) resumes from its checkpoints: their
 * latest slot is caught up again until a run of it finishes. The task's lease keeps it single.
 */
export const RESUMABLE_JOBS: ReadonlySet<JobName> = new Set(['backtest']);

/** A run that starts this long before its slot still counts for it (clock skew), as in the probe. */
const SLOT_TOLERANCE_MS = 60_000;

/**
 * The latest slot at or before `nowMs`. Reuses the probe's {@link dueSince}, which looks back by the
 * job's grace: shifting "now" by that grace gives the latest slot itself.
 * @example latestSlotMs('update', Date.parse('2024-06-10T10:00:00Z')) // 2024-06-10T00:30:00Z
 */
export function latestSlotMs(job: JobName, nowMs: number): number {
  return dueSince(job, nowMs + RUN_GRACE_MS[job]);
}

/** The time between a slot and the next one: 24 h for a daily job, 7 days for a weekly one. */
export function periodMs(job: JobName, slotMs: number): number {
  const next = new Cron(schedule[job].cron, { timezone: 'UTC', paused: true }).nextRun(new Date(slotMs));
  return next ? next.getTime() - slotMs : Number.POSITIVE_INFINITY;
}

/**
 * The missed slot to catch up now, or `undefined`. Missed: the latest slot is within the window and
 * no run started since it. A job that never ran is missed only once the lake is live (its first
 * update) before the slot; `update` itself, never run, is missed at once (a new lake gets filled).
 * A resumable job whose run for the slot did not finish is caught up too (it resumes).
 * @example missedSlot({ job: 'update', nowMs: Date.parse('2024-06-10T10:00:00Z'), lastStartedMs: Date.parse('2024-06-09T00:30:00Z') }) // 2024-06-10T00:30:00Z
 */
export function missedSlot(facts: MisfireFacts): number | undefined {
  const slot = latestSlotMs(facts.job, facts.nowMs);
  if (slot <= 0) return undefined;
  const windowMs = Math.min(periodMs(facts.job, slot), facts.windowMs ?? Number.POSITIVE_INFINITY);
  if (facts.nowMs - slot > windowMs) return undefined;
  if (facts.lastStartedMs !== undefined) {
    if (facts.lastStartedMs < slot - SLOT_TOLERANCE_MS) return slot;
    const unfinished = facts.lastOutcome === 'running' || facts.lastOutcome === 'abandoned';
    return RESUMABLE_JOBS.has(facts.job) && unfinished ? slot : undefined;
  }
  if (facts.job === 'update') return slot;
  return facts.installedMs !== undefined && slot >= facts.installedMs ? slot : undefined;
}
