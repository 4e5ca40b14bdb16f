/**
 * How a hand-run lake operation (compact, restore, rollback, reindex) runs: under the lake's write
 * lease, so it never interleaves with an update or a repair, and with a run record in the lake
 * saying who did what — a destructive command leaves a trace whether it succeeded or not.
 */
import type { Clock } from '../clock/index.ts';
import { acquireLease } from '../lake/lease.ts';
import { newRunId, writeRunRecord } from '../lake/run-records.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** The lease every lake writer shares (update, validate repairs, compaction, backup, restore). */
export const WRITE_LEASE = 'update';
const LEASE_TTL_MS = 15 * 60_000;

export class LakeBusyError extends Error {
  override readonly name = 'LakeBusyError';
}

/**
 * Runs `work` under the write lease and records it as a run of `job` (outcome from `summarize`).
 * A dry run takes no lease and writes nothing.
 * @example const report = await lakeOperation({ store, clock }, 'restore', { trigger: 'cli', dryRun }, () => restoreLake(...), (r) => ({ summary: `…`, details: r }));
 */
export async function lakeOperation<R>(
  deps: { store: ObjectStore; clock: Clock },
  job: string,
  options: { trigger: string; dryRun?: boolean },
  work: (runId: string) => Promise<R>,
  summarize: (result: R) => { summary: string; details: unknown; failed?: boolean },
): Promise<R & { runId: string }> {
  const startedMs = deps.clock.nowMs();
  const runId = newRunId(job, startedMs);
  if (options.dryRun) return { ...(await work(runId)), runId };
  const attempt = await acquireLease(deps.store, { name: WRITE_LEASE, runId, ttlMs: LEASE_TTL_MS, clock: deps.clock });
  if (!attempt.acquired) throw new LakeBusyError(`the lake is busy: ${attempt.holder.runId} holds its write lease (pid ${attempt.holder.pid} on ${attempt.holder.host}); try again when it ends`);
  const record = { job, runId, trigger: options.trigger, startedAt: new Date(startedMs).toISOString() };
  try {
    const result = await work(runId);
    const { summary, details, failed } = summarize(result);
    await writeRunRecord(deps.store, { ...record, endedAt: new Date(deps.clock.nowMs()).toISOString(), outcome: failed ? 'failed' : 'succeeded', summary, details });
    return { ...result, runId };
  } catch (error) {
    await writeRunRecord(deps.store, { ...record, endedAt: new Date(deps.clock.nowMs()).toISOString(), outcome: 'failed', summary: `failed: ${(error as Error).message}`, details: {} });
    throw error;
  } finally {
    await attempt.lease.release();
  }
}
