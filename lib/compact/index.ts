/**
 * Compaction of the per-series datasets (`ohlcv`, `features`): each (series, year) partition
 * holding more than one live part is rewritten into one compact part, verified, and swapped in
 * so that a reader never sees a candle twice or not at all, and a crash at any point leaves the
 * lake correct for the next run to finish (see partition.ts for the order, lib/lake/live-parts.ts
 * for the rule readers apply).
 *
 * compactLake does NOT take the lake's `update` lease: its caller (the backup job) must hold it,
 * so no update, repair or other compaction writes the partitions while they are swapped.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactionInterruptedError } from './errors.ts';
import { listPartition, listPartitions, type PartitionInventory } from './inventory.ts';
import { recoverPartition, swapPartition } from './partition.ts';
import { planPartition, type PartitionPlan } from './plan.ts';
import type { CompactionDeps, CompactionOptions, CompactionReport, CompactionTotals, PartitionReport } from './types.ts';

export type * from './types.ts';
export { CompactionInterruptedError, CompactionVerificationError } from './errors.ts';

const DEFAULTS = { dryRun: false, datasets: ['ohlcv', 'features'] } as const;

function objectsAndBytes(partition: PartitionInventory): { objects: number; bytes: number } {
  const sizes = [...partition.parts.map((p) => p.sizeBytes), ...partition.staged.map((o) => o.sizeBytes)];
  return { objects: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

function baseReport(partition: PartitionInventory, plan: PartitionPlan): PartitionReport {
  const before = objectsAndBytes(partition);
  return {
    prefix: partition.prefix, dataset: partition.dataset, exchange: partition.series.exchange,
    symbol: partition.series.symbol, timeframe: partition.series.timeframe, year: partition.year,
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
    const recovered = await recoverPartition(deps.store, plan, dir);
    report.stagingDeleted = recovered.stagingDeleted;
    report.supersededDeleted = recovered.supersededDeleted;
    report.outcome = 'recovered';
    if (plan.compact) {
      const swapped = await swapPartition(deps.store, partition, { ...plan, compact: plan.compact }, dir, options.hooks);
      report.candles = swapped.candles;
      report.outcome = 'compacted';
      deps.logger.info('partition compacted', { prefix: partition.prefix, parts: plan.live.length, candles: swapped.candles, bytes: swapped.bytes });
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
 * more than one live part. One partition's failure is reported and the others carry on; a hook
 * that throws ends the run at once (a simulated crash).
 *
 * The caller must hold the lake's `update` lease (lib/lake/lease.ts); compactLake does not take it.
 * @example
 * const report = await compactLake({ store, clock: systemClock, logger }, { datasets: ['ohlcv'] });
 * console.log(report.totals.objectsBefore - report.totals.objectsAfter, 'objects saved');
 */
export async function compactLake(deps: CompactionDeps, options: CompactionOptions = {}): Promise<CompactionReport> {
  const dryRun = options.dryRun ?? DEFAULTS.dryRun;
  const datasets = [...(options.datasets ?? DEFAULTS.datasets)];
  const startedMs = deps.clock.nowMs();
  const partitions = await listPartitions(deps.store, datasets);
  if (deps.cacheDir) await mkdir(deps.cacheDir, { recursive: true });
  const scratch = await mkdtemp(join(deps.cacheDir ?? tmpdir(), 'candlelake-compact-'));
  const reports: PartitionReport[] = [];
  try {
    for (const partition of partitions) reports.push(await runPartition(deps, partition, { ...options, dryRun }, scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const seconds = (deps.clock.nowMs() - startedMs) / 1000;
  const report: CompactionReport = {
    startedAt: new Date(startedMs).toISOString(), dryRun, datasets, partitions: reports, totals: totalsOf(reports, dryRun, seconds),
  };
  deps.logger.info('compaction done', { ...report.totals, dryRun });
  return report;
}
