/**
 * Compaction of the lake's time-ranged datasets: the per-series `ohlcv` and `features`, and the
 * sentiment datasets (`fear_greed`, `funding`, `open_interest`, `long_short_ratio`, `macro`,
 * lib/lake/sentiment-store.ts), all by default. Each (series, year) partition holding more than
 * one live part is rewritten into one compact part (`compact-<first>-<last>-g<n>.parquet`,
 * re-encoded by the dataset's own writer, codecs.ts), verified against its inputs (verify.ts),
 * and swapped in so that a reader never sees a row twice or not at all, and a crash at any point
 * leaves the lake correct for the next run to finish (see partition.ts for the order,
 * lib/lake/live-parts.ts for the rule readers apply). datasets.ts says where each dataset's
 * partitions lie (`exchange=…` and `source=…` folders) and what its time column is.
 *
 * compactLake does NOT take the lake's `update` lease: its caller (the backup job) must hold it,
 * so no update, repair or other compaction writes the partitions while they are swapped. The
 * sentiment datasets are written under their own `sentiment` lease (lib/sentiment/index.ts), which
 * compactLake takes itself for them (not in a dry run); while a sentiment run holds it, they are
 * left for the next run and named in the report's `skippedDatasets`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLease, type Lease } from '../lake/lease.ts';
import { newRunId } from '../lake/run-records.ts';
import { checkDatasets, COMPACTION_DATASETS, isSentimentDataset, isSentimentPartition, labelsOf, type CompactionDataset } from './datasets.ts';
import { CompactionInterruptedError } from './errors.ts';
import { listPartition, listPartitions, type PartitionInventory } from './inventory.ts';
import { recoverPartition, swapPartition } from './partition.ts';
import { planPartition, type PartitionPlan } from './plan.ts';
import type { CompactionDeps, CompactionOptions, CompactionReport, CompactionTotals, PartitionReport } from './types.ts';

export type * from './types.ts';
export { COMPACTION_DATASETS } from './datasets.ts';
export { CompactionInterruptedError, CompactionVerificationError } from './errors.ts';

const DEFAULTS = { dryRun: false, datasets: COMPACTION_DATASETS, sentimentLeaseTtlMs: 15 * 60_000 } as const;

/** The lease the sentiment job writes under (lib/sentiment/index.ts). */
export const SENTIMENT_LEASE = 'sentiment';

/**
 * Takes the sentiment lease when sentiment datasets are to be rewritten; when a sentiment run
 * holds it, returns the datasets to leave out instead.
 */
async function sentimentLease(
  deps: CompactionDeps,
  datasets: readonly CompactionDataset[],
  dryRun: boolean,
  startedMs: number,
): Promise<{ lease?: Lease; skipped?: NonNullable<CompactionReport['skippedDatasets']> }> {
  const sentiment = datasets.filter(isSentimentDataset);
  if (dryRun || sentiment.length === 0) return {};
  const ttlMs = deps.sentimentLeaseTtlMs ?? DEFAULTS.sentimentLeaseTtlMs;
  const attempt = await acquireLease(deps.store, { name: SENTIMENT_LEASE, runId: newRunId('compact', startedMs), ttlMs, clock: deps.clock });
  if (attempt.acquired) return { lease: attempt.lease };
  const reason = `the ${SENTIMENT_LEASE} lease is held by ${attempt.holder.runId}`;
  deps.logger.warn('sentiment datasets not compacted', { reason, datasets: sentiment });
  return { skipped: { datasets: sentiment, reason } };
}

/** Renews the lease once a third of its TTL has passed, so it does not expire under a long run; `false` once lost. */
async function keepLease(deps: CompactionDeps, lease: Lease): Promise<boolean> {
  const ttlMs = deps.sentimentLeaseTtlMs ?? DEFAULTS.sentimentLeaseTtlMs;
  if (lease.holder.expiresAtMs - deps.clock.nowMs() > (2 * ttlMs) / 3) return lease.held;
  return lease.renew();
}

function objectsAndBytes(partition: PartitionInventory): { objects: number; bytes: number } {
  const sizes = [...partition.parts.map((p) => p.sizeBytes), ...partition.staged.map((o) => o.sizeBytes)];
  return { objects: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

function baseReport(partition: PartitionInventory, plan: PartitionPlan): PartitionReport {
  const before = objectsAndBytes(partition);
  return {
    prefix: partition.prefix, dataset: partition.dataset, ...labelsOf(partition), year: partition.year,
    outcome: 'skipped', stagingDeleted: 0, supersededDeleted: 0, inputKeys: plan.compact ? plan.live.map((p) => p.key) : [],
    ...(plan.compact ? { outputKey: plan.compact.key, generation: plan.compact.generation } : {}),
    objectsBefore: before.objects, objectsAfter: before.objects, bytesBefore: before.bytes, bytesAfter: before.bytes, candles: 0,
  };
}

/** What a dry run reports: the plan's outcome and object count, sizes unknown. */
function plannedReport(report: PartitionReport, plan: PartitionPlan): PartitionReport {
  const recovering = plan.stagedKeys.length + plan.superseded.length;
  const objectsAfter = report.objectsBefore - recovering - (plan.compact ? plan.live.length - 1 : 0);
  const outcome = plan.compact ? 'compacted' : recovering > 0 ? 'recovered' : 'skipped';
  return {
    ...report, outcome, stagingDeleted: plan.stagedKeys.length, supersededDeleted: plan.superseded.length,
    objectsAfter, bytesAfter: outcome === 'skipped' ? report.bytesBefore : null,
  };
}

async function runPartition(deps: CompactionDeps, partition: PartitionInventory, options: CompactionOptions, scratch: string): Promise<PartitionReport> {
  const plan = planPartition(partition);
  const report = baseReport(partition, plan);
  if (options.dryRun) return plannedReport(report, plan);
  if (plan.stagedKeys.length + plan.superseded.length === 0 && !plan.compact) return report;
  const dir = await mkdtemp(join(scratch, 'partition-'));
  try {
    const recovered = await recoverPartition(deps.store, partition, plan, dir);
    report.stagingDeleted = recovered.stagingDeleted;
    report.supersededDeleted = recovered.supersededDeleted;
    report.outcome = 'recovered';
    if (plan.compact) {
      const swapped = await swapPartition(deps.store, partition, { ...plan, compact: plan.compact }, dir, options.hooks);
      report.candles = swapped.rows;
      report.outcome = 'compacted';
      deps.logger.info('partition compacted', { prefix: partition.prefix, parts: plan.live.length, rows: swapped.rows, bytes: swapped.bytes });
    }
  } catch (error) {
    if (error instanceof CompactionInterruptedError) throw error;
    report.outcome = 'failed';
    report.error = error instanceof Error ? error.message : String(error);
    deps.logger.warn('partition compaction failed', { prefix: partition.prefix, reason: report.error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const after = objectsAndBytes(await listPartition(deps.store, partition));
  report.objectsAfter = after.objects;
  report.bytesAfter = after.bytes;
  return report;
}

function totalsOf(partitions: readonly PartitionReport[], dryRun: boolean, seconds: number): CompactionTotals {
  const sum = (pick: (p: PartitionReport) => number) => partitions.reduce((a, p) => a + pick(p), 0);
  return {
    examined: partitions.length,
    compacted: partitions.filter((p) => p.outcome === 'compacted').length,
    skipped: partitions.filter((p) => p.outcome === 'skipped').length,
    recovered: partitions.filter((p) => p.stagingDeleted + p.supersededDeleted > 0).length,
    failed: partitions.filter((p) => p.outcome === 'failed').length,
    objectsBefore: sum((p) => p.objectsBefore),
    objectsAfter: sum((p) => p.objectsAfter),
    bytesBefore: sum((p) => p.bytesBefore),
    bytesAfter: dryRun ? null : sum((p) => p.bytesAfter ?? 0),
    candles: sum((p) => p.candles),
    seconds,
  };
}

/**
 * Compacts the lake: recovers what an interrupted run left, then merges every partition with
 * more than one live part, for each dataset asked for (all by default). One partition's failure
 * is reported and the others carry on; a hook that throws ends the run at once (a simulated crash).
 *
 * The caller must hold the lake's `update` lease (lib/lake/lease.ts); compactLake does not take
 * it, only the `sentiment` lease for the sentiment datasets (see the top of this file).
 * @throws RangeError for an unknown dataset in `options.datasets`, before anything is listed
 * @example
 * const report = await compactLake({ store, clock: systemClock, logger }, { datasets: ['ohlcv', 'funding'] });
 * console.log(report.totals.objectsBefore - report.totals.objectsAfter, 'objects saved');
 */
export async function compactLake(deps: CompactionDeps, options: CompactionOptions = {}): Promise<CompactionReport> {
  const dryRun = options.dryRun ?? DEFAULTS.dryRun;
  const datasets = [...(options.datasets ?? DEFAULTS.datasets)];
  checkDatasets(datasets);
  const startedMs = deps.clock.nowMs();
  // Taken before listing: the plans must see every part a sentiment write put.
  const { lease, ...held } = await sentimentLease(deps, datasets, dryRun, startedMs);
  let skipped = held.skipped;
  const reports: PartitionReport[] = [];
  try {
    const partitions = await listPartitions(deps.store, datasets.filter((d) => !skipped?.datasets.includes(d)));
    if (deps.cacheDir) await mkdir(deps.cacheDir, { recursive: true });
    const scratch = await mkdtemp(join(deps.cacheDir ?? tmpdir(), 'candlelake-compact-'));
    try {
      for (const partition of partitions) {
        if (lease && !skipped && !(await keepLease(deps, lease))) {
          // Taken over (it had expired): a sentiment run may be writing now, so leave the rest of theirs alone.
          skipped = { datasets: datasets.filter(isSentimentDataset), reason: `the ${SENTIMENT_LEASE} lease was taken over during compaction` };
          deps.logger.warn('sentiment datasets not compacted', { ...skipped });
        }
        if (isSentimentPartition(partition) && skipped) continue;
        reports.push(await runPartition(deps, partition, { ...options, dryRun }, scratch));
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  } finally {
    await lease?.release();
  }
  const seconds = (deps.clock.nowMs() - startedMs) / 1000;
  const report: CompactionReport = {
    startedAt: new Date(startedMs).toISOString(), dryRun, datasets, partitions: reports, totals: totalsOf(reports, dryRun, seconds),
    ...(skipped ? { skippedDatasets: skipped } : {}),
  };
  deps.logger.info('compaction done', { ...report.totals, dryRun });
  return report;
}
