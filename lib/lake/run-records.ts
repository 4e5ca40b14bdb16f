/**
 * Run records: one JSON object per job run, written when the run starts and again when it
 * ends, plus a `latest.json` per job. Later jobs, the digest and the health probe read them.
 */
import type { ObjectStore } from '../object-store/types.ts';
import { latestRunKey, runRecordKey } from './keys.ts';

export type RunOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'abandoned';

/** Fields every job's record carries; each job adds its own `details`. */
export interface RunRecord<Details = unknown> {
  job: string;
  runId: string;
  trigger: string;
  startedAt: string;
  endedAt?: string;
  outcome: RunOutcome;
  /** One line a person can read. */
  summary: string;
  details: Details;
}

/**
 * A run id that sorts by start time and names the job.
 * @example newRunId('update', Date.parse('2024-06-01T00:30:00Z')) // 'update-20240601T003000Z-k3j9qa'
 */
export function newRunId(job: string, startedAtMs: number): string {
  const stamp = new Date(startedAtMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${job}-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes the record under its dated key and as the job's latest. */
export async function writeRunRecord(store: ObjectStore, record: RunRecord): Promise<void> {
  const body = JSON.stringify(record, null, 2);
  await store.put(runRecordKey(record.job, Date.parse(record.startedAt), record.runId), body, {
    contentType: 'application/json',
  });
  await store.put(latestRunKey(record.job), body, { contentType: 'application/json' });
}

export async function readRunRecord<D = unknown>(store: ObjectStore, key: string): Promise<RunRecord<D> | undefined> {
  const got = await store.get(key);
  if (!got) return undefined;
  return JSON.parse(Buffer.from(got.body).toString('utf8')) as RunRecord<D>;
}

/** The latest record of a job, if it ever ran. */
export function readLatestRun<D = unknown>(store: ObjectStore, job: string): Promise<RunRecord<D> | undefined> {
  return readRunRecord<D>(store, latestRunKey(job));
}

/** Marks a run that died without finishing (its lease was found abandoned). */
export async function markRunAbandoned(store: ObjectStore, job: string, runId: string, startedAtMs: number, nowMs: number): Promise<boolean> {
  const key = runRecordKey(job, startedAtMs, runId);
  const record = await readRunRecord(store, key);
  if (!record || record.outcome !== 'running') return false;
  const abandoned: RunRecord = {
    ...record,
    outcome: 'abandoned',
    endedAt: new Date(nowMs).toISOString(),
    summary: `${record.summary} — abandoned: the process stopped without finishing`,
  };
  await store.put(key, JSON.stringify(abandoned, null, 2), { contentType: 'application/json' });
  const latest = await readLatestRun(store, job);
  if (latest?.runId === runId) await store.put(latestRunKey(job), JSON.stringify(abandoned, null, 2));
  return true;
}

/**
 * When a job first ran (its oldest record), e.g. the first update marks when the lake went live:
 * a job scheduled before that was never due. One listing and one read.
 * @example const installedMs = await firstRunMs(store, 'update');
 */
export async function firstRunMs(store: ObjectStore, job: string): Promise<number | undefined> {
  const [first] = (await store.list(`runs/job=${job}/date=`)).map((o) => o.key).sort();
  if (!first) return undefined;
  const record = await readRunRecord(store, first);
  return record ? Date.parse(record.startedAt) : undefined;
}
