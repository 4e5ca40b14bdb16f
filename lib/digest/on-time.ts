/**
 * A job's on-time success rate over the last days: for each scheduled start, did a run start
 * within the job's grace and succeed? The digest compares it with the 99.5 % objective.
 */
import { Cron } from 'croner';
import type { RunRecord } from '../lake/run-records.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { RUN_GRACE_MS } from '../status/rules.ts';

export const ON_TIME_OBJECTIVE_PCT = 99.5;

/** Scheduled starts in (nowMs − days, nowMs − grace]: the slots that should have a run by now. */
export function scheduledSlots(job: JobName, nowMs: number, days: number): number[] {
  const cron = new Cron(schedule[job].cron, { timezone: 'UTC', paused: true });
  const slots: number[] = [];
  let cursor = new Date(nowMs - days * 86_400_000);
  for (;;) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > nowMs - RUN_GRACE_MS[job]) break;
    slots.push(next.getTime());
    cursor = next;
  }
  return slots;
}

/**
 * Pure: the share of slots with a successful run started inside the slot's grace.
 * @example onTimeRate([slot], [{ startedAt: slot + 5_000, outcome: 'succeeded' }], 'update') // 100
 */
export function onTimeRate(slots: readonly number[], runs: ReadonlyArray<Pick<RunRecord, 'startedAt' | 'outcome'>>, job: JobName): number | null {
  if (slots.length === 0) return null;
  const ok = slots.filter((slot) =>
    runs.some((r) => {
      const t = Date.parse(r.startedAt);
      return t >= slot && t <= slot + RUN_GRACE_MS[job] && (r.outcome === 'succeeded' || r.outcome === 'partial');
    }),
  ).length;
  return Math.round((ok / slots.length) * 1000) / 10;
}

/** Run records of a job from the last `days` days (one listing, one read per record). */
export async function recentRuns(store: ObjectStore, job: JobName, nowMs: number, days: number): Promise<RunRecord[]> {
  const objects = await store.list(`runs/job=${job}/date=`);
  const since = new Date(nowMs - (days + 1) * 86_400_000).toISOString().slice(0, 10);
  const records: RunRecord[] = [];
  for (const o of objects) {
    const date = /date=(\d{4}-\d{2}-\d{2})\//.exec(o.key)?.[1];
    if (!date || date < since) continue;
    const got = await store.get(o.key);
    if (got) records.push(JSON.parse(Buffer.from(got.body).toString('utf8')) as RunRecord);
  }
  return records;
}
