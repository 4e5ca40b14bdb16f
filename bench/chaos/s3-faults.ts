/**
 * Group 2: S3 misbehaves under the update job and the weekly backup (compaction, snapshot,
 * retention, integrity). The real AWS SDK client of an s3:// lake goes through the fault proxy
 * in front of moto; the backup store is a second bucket behind the same proxy. Loss: the lake's
 * candles against the exchange, and the newest complete snapshot against the lake (the integrity
 * check, read straight from moto).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIntegrity, listSnapshots } from '../../lib/backup/index.ts';
import { runBackup, type BackupJobResult } from '../../lib/backup/job.ts';
import { startBinanceStandIn } from '../../lib/replay-exchange/binance/index.ts';
import type { UpdateResult } from '../../lib/update/types.ts';
import { auditCandles, candleLoss } from './ground-truth.ts';
import { countingS3Client, createS3Lake } from './s3-lake.ts';
import { startS3FaultProxy, type S3FaultRule } from './s3-fault-proxy.ts';
import type { ChaosContext, Scenario, ScenarioOutcome } from './types.ts';
import { HOUR_MS, updateRunner } from './update-harness.ts';

interface S3Plan {
  id: string;
  title: string;
  description: string;
  rules: S3FaultRule[];
}

const PLANS: S3Plan[] = [
  {
    id: 's3-internal-error',
    title: 'S3 500 InternalError',
    description: 'Every 4th S3 request (PUT, GET, LIST, HEAD, DELETE) answered 500 `InternalError` with S3\'s XML body, during an update and a backup.',
    rules: [{ every: 4, action: { type: 'error', code: 'InternalError' } }],
  },
  {
    id: 's3-slowdown',
    title: 'S3 503 SlowDown',
    description: 'Every 4th S3 request answered 503 `SlowDown` (throttling), during an update and a backup.',
    rules: [{ every: 4, action: { type: 'error', code: 'SlowDown' } }],
  },
  {
    id: 's3-dropped-connections',
    title: 'S3 dropped connections',
    description: 'Every 6th request\'s connection is reset before it reaches moto, and every 5th GET is cut halfway through its body (socket destroyed mid-response), during an update and a backup.',
    rules: [
      { name: 'reset', every: 6, action: { type: 'reset' } },
      { name: 'truncated GET', when: { method: 'GET' }, every: 5, action: { type: 'truncate-body' } },
    ],
  },
  {
    id: 's3-lease-lost-response',
    title: 'S3 lost answer to the lease PUT (If-None-Match)',
    description: 'moto applies the update lease\'s create-only PUT, then the connection dies before the answer; the SDK retries the PUT, which now meets the object it wrote itself (412).',
    rules: [{ name: 'lost answer', when: { method: 'PUT', path: /\/leases\/update\.json$/, header: 'if-none-match' }, nth: [1], action: { type: 'lose-response' } }],
  },
];

export const s3Scenarios: Scenario[] = PLANS.map((plan) => ({
  id: plan.id,
  group: '2 S3',
  title: plan.title,
  description: plan.description,
  run: (ctx) => runPlan(plan, ctx),
}));

async function runPlan(plan: S3Plan, ctx: ChaosContext): Promise<ScenarioOutcome> {
  const proxy = await startS3FaultProxy({ target: ctx.awsEndpoint });
  const standIn = await startBinanceStandIn();
  try {
    const { client, counter } = countingS3Client(proxy.url);
    const { client: directClient } = countingS3Client(ctx.awsEndpoint);
    const lake = await createS3Lake('lake', client, directClient);
    const backup = await createS3Lake('backup', client, directClient);
    const cacheDir = await mkdtemp(join(tmpdir(), 'candlelake-chaos-cache-'));
    const update = updateRunner(lake.store, lake.url, standIn.url, (now) => standIn.setNow(now));
    const config = update.config({ cacheDir });
    const cycle = async (): Promise<{ run: UpdateResult; backup: BackupJobResult }> => {
      const run = await update.run({ cacheDir });
      const result = await runBackup({ lake: lake.store, backup: backup.store, clock: update.clock, logger: update.logger, config }, { trigger: 'chaos' });
      return { run, backup: result };
    };

    for (const rule of plan.rules) proxy.add(rule);
    const started = Date.now();
    const first = await cycle();
    const faults = proxy.counts() as Record<string, number>;
    proxy.clear();
    const notes: string[] = [`first cycle: update ${first.run.outcome}${first.run.summary ? ` (${first.run.summary})` : ''}, backup ${first.backup.outcome}`];
    const firstFailure = first.run.details.failures[0]?.reason ?? first.backup.findings.find((f) => f.severity !== 'INFO')?.text;
    if (firstFailure) notes.push(firstFailure.slice(0, 200));
    const selfHeld = first.run.outcome === 'skipped' && first.run.details.heldBy?.runId === first.run.runId;
    if (selfHeld) notes.push('the run found the lease it had just written and skipped itself (exit 0, no alert)');

    let recovery: ScenarioOutcome['recovery'] = 'same run (retries)';
    let last = first;
    if (first.run.outcome !== 'succeeded' || first.backup.outcome !== 'succeeded') {
      update.clock.advance(HOUR_MS);
      last = await cycle();
      recovery = 'next run';
      notes.push(`next cycle: update ${last.run.outcome}, backup ${last.backup.outcome}`);
    }
    const audit = await auditCandles(lake.direct, standIn.url, update.windows());
    const snapshots = await listSnapshots(backup.direct);
    const integrity = await checkIntegrity({ lake: lake.direct, backup: backup.direct, cacheDir }, { snapshot: 'latest' });
    const verifiedAt = Date.now();
    if (audit.firstProblem) notes.push(audit.firstProblem);
    if (integrity.problems.length > 0) notes.push(`integrity: ${integrity.problems.map((p) => `${p.kind} ${p.path}`).join('; ')}`);
    notes.push(`${snapshots.complete.length} complete snapshot(s), ${snapshots.incomplete.length} incomplete`);

    const reported = first.run.outcome === 'partial' || first.run.outcome === 'failed' || first.backup.outcome === 'failed';
    const recovered =
      last.run.outcome === 'succeeded' && last.backup.outcome === 'succeeded' && audit.missing === 0 && snapshots.complete.length > 0 && integrity.problems.length === 0;
    return {
      faults,
      // The SDK noticing the dropped answer is not the system noticing it skipped its own run.
      detected: (counter.retries > 0 || reported) && !selfHeld,
      detection: [
        counter.retries > 0 ? `SDK retried ${counter.retries}×` : 'no SDK retry',
        counter.failedCalls > 0 ? `${counter.failedCalls} calls failed (412s of conditional writes included)` : '',
        reported ? 'the run reported the failure' : selfHeld ? 'not reported: the run skipped itself' : '',
      ].filter(Boolean).join('; '),
      recovered,
      recovery,
      timeToRecoverMs: recovered ? verifiedAt - started : null,
      ...candleLoss(audit),
      notes,
    };
  } finally {
    await standIn.close();
    await proxy.close();
  }
}
