/**
 * The weekly backup job (Sundays 03:00 UTC, `candlelake backup`, `functions/backup.ts`): under the
 * lake's write lease it checks the lake against last week's snapshot, compacts it, records the
 * configuration in it, snapshots it into the backup store, applies retention, and checks the
 * integrity of the lake and the new snapshot. What
 * it did is a run record; what went wrong comes back as findings the doors raise as alerts.
 */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { compactLake } from '../compact/index.ts';
import type { CompactionTotals } from '../compact/types.ts';
import { acquireLease } from '../lake/lease.ts';
import { newRunId, writeRunRecord, type RunRecord } from '../lake/run-records.ts';
import type { JobLogger } from '../logging/types.ts';
import type { JobFinding } from '../notify/job-alerts.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { checkIntegrity } from './integrity.ts';
import { listSnapshots } from './catalog.ts';
import { WRITE_LEASE } from './operation.ts';
import { applyRetention } from './retention.ts';
import { snapshotLake } from './snapshot.ts';
import type { IntegrityProblem, RetentionReport, SnapshotReport } from './types.ts';

/** Where the effective configuration is recorded, so a snapshot carries the settings it was made with. */
export const CONFIG_RECORD_KEY = 'config/candlelake.json';

export interface BackupJobDeps {
  lake: ObjectStore;
  backup: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  config: CandlelakeConfig;
}

export interface BackupJobInput {
  trigger: string;
  runId?: string;
  /** Skip compaction (e.g. a quick snapshot before a risky change). */
  noCompact?: boolean;
}

export interface BackupJobResult {
  runId: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  summary: string;
  compaction?: CompactionTotals;
  snapshot?: SnapshotReport;
  retention?: RetentionReport;
  integrity?: { problems: IntegrityProblem[]; seconds: number; snapshotId?: string };
  /** What the doors raise as alerts (`clearMissing`: this is the job's complete list). */
  findings: JobFinding[];
}

/**
 * Runs the weekly backup once.
 * @example const result = await runBackup({ lake, backup, clock: systemClock, logger, config }, { trigger: 'cli' });
 */
export async function runBackup(deps: BackupJobDeps, input: BackupJobInput): Promise<BackupJobResult> {
  const { lake, backup, clock, logger, config } = deps;
  const startedMs = clock.nowMs();
  const runId = input.runId ?? newRunId('backup', startedMs);
  const result: BackupJobResult = { runId, outcome: 'succeeded', summary: '', findings: [] };
  const attempt = await acquireLease(lake, { name: WRITE_LEASE, runId, ttlMs: config.update.leaseTtlMs, clock });
  if (!attempt.acquired) {
    // Another writer (an update running late, a repair) holds the lake: next week, or by hand.
    result.outcome = 'skipped';
    result.summary = `skipped: the lake's write lease is held by ${attempt.holder.runId}`;
    result.findings.push({ key: 'backup:skipped', severity: 'WARNING', text: `weekly backup ${result.summary}` });
    await record(deps, result, startedMs, input.trigger);
    return result;
  }
  const lease = attempt.lease;
  try {
    // First the lake against last week's snapshot: damage found now is reported and stops the run,
    // before compaction rewrites the damaged part or a new snapshot copies it and retention drops
    // the last good copy.
    if ((await listSnapshots(backup)).complete.length > 0) {
      const before = await checkIntegrity({ lake, backup, cacheDir: config.cacheDir }, { snapshot: 'latest' });
      if (before.problems.length > 0) {
        result.integrity = { problems: before.problems, seconds: before.seconds, ...(before.snapshotId ? { snapshotId: before.snapshotId } : {}) };
        result.findings.push(...integrityFindings(before.problems));
        result.outcome = 'failed';
        result.summary = `stopped before compaction and snapshot: ${before.problems.length} integrity problems against ${before.snapshotId}; restore the damaged objects (candlelake restore), then run the backup again`;
        return result;
      }
    }
    await lake.put(CONFIG_RECORD_KEY, JSON.stringify({ recordedAt: new Date(startedMs).toISOString(), runId, config }, null, 2), { contentType: 'application/json' });
    if (!input.noCompact) {
      const compaction = await compactLake({ store: lake, clock, logger, cacheDir: config.cacheDir });
      result.compaction = compaction.totals;
      const skipped = compaction.skippedDatasets;
      if (skipped && skipped.datasets.length > 0) {
        // A sentiment run held its lease: those datasets wait a week, which costs objects, not data.
        result.findings.push({ key: 'backup:compaction-skipped', severity: 'INFO', text: `compaction skipped ${skipped.datasets.join(', ')}: ${skipped.reason}` });
      }
      if (result.compaction.failed > 0) {
        result.findings.push({ key: 'backup:compaction-failed', severity: 'WARNING', text: `compaction failed for ${result.compaction.failed} partitions (their parts are untouched)` });
      }
      await lease.renew();
    }
    result.snapshot = await snapshotLake({ lake, backup, clock, logger });
    await lease.renew();
    result.retention = await applyRetention(backup, { keep: config.backup.keep });
    const integrity = await checkIntegrity({ lake, backup, cacheDir: config.cacheDir }, { snapshot: result.snapshot.id });
    result.integrity = { problems: integrity.problems, seconds: integrity.seconds, ...(integrity.snapshotId ? { snapshotId: integrity.snapshotId } : {}) };
    result.findings.push(...integrityFindings(integrity.problems));
    if (integrity.problems.length > 0) result.outcome = 'failed';
  } catch (error) {
    result.outcome = 'failed';
    result.findings.push({ key: 'backup:failed', severity: 'CRITICAL', text: `weekly backup failed: ${(error as Error).message}` });
    logger.error('backup failed', { runId, reason: (error as Error).message });
  } finally {
    await lease.release();
    result.summary ||= summarize(result);
    await record(deps, result, startedMs, input.trigger);
  }
  return result;
}

function integrityFindings(problems: readonly IntegrityProblem[]): JobFinding[] {
  return problems.map((p) => ({ key: `backup:integrity:${p.path}`, severity: 'CRITICAL' as const, text: `integrity: ${p.kind} ${p.path} — ${p.detail}` }));
}

function summarize(result: BackupJobResult): string {
  const parts: string[] = [];
  const c = result.compaction;
  if (c) parts.push(`compacted ${c.compacted} partitions (${c.objectsBefore} → ${c.objectsAfter} objects)`);
  const s = result.snapshot;
  if (s) parts.push(`snapshot ${s.id}: ${s.objects} objects, ${(s.bytes / 1e6).toFixed(1)} MB at ${s.mbPerSecond.toFixed(1)} MB/s`);
  const r = result.retention;
  if (r && r.deletedComplete.length + r.deletedIncomplete.length > 0) parts.push(`retention deleted ${[...r.deletedComplete, ...r.deletedIncomplete].join(', ')}`);
  if (result.integrity) parts.push(result.integrity.problems.length ? `${result.integrity.problems.length} integrity problems` : 'integrity OK');
  const failure = result.findings.find((f) => f.key === 'backup:failed');
  if (failure) parts.push(failure.text);
  return parts.join('; ');
}

async function record(deps: BackupJobDeps, result: BackupJobResult, startedMs: number, trigger: string): Promise<void> {
  const run: RunRecord = {
    job: 'backup',
    runId: result.runId,
    trigger,
    startedAt: new Date(startedMs).toISOString(),
    endedAt: new Date(deps.clock.nowMs()).toISOString(),
    outcome: result.outcome,
    summary: result.summary,
    details: {
      backup: deps.backup.url,
      ...(result.compaction ? { compaction: result.compaction } : {}),
      ...(result.snapshot ? { snapshot: { id: result.snapshot.id, objects: result.snapshot.objects, bytes: result.snapshot.bytes, seconds: result.snapshot.seconds, datasets: result.snapshot.datasets } } : {}),
      ...(result.retention ? { retention: result.retention } : {}),
      ...(result.integrity ? { integrity: result.integrity } : {}),
    },
  };
  await writeRunRecord(deps.lake, run);
}
