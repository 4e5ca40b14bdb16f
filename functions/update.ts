/**
 * Lambda door of the update job (EventBridge `cron(30 0 * * ? *)`). Parses nothing but the
 * trigger, builds its clients once per container, runs `lib/update`, and fails the invocation
 * when the job failed so Lambda's retries and the error alarm see it.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../lib/config/load.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { runUpdate } from '../lib/update/index.ts';
import type { WeightReport } from '../lib/exchange/types.ts';
import { publishJobFindings } from '../lib/notify/job-alerts.ts';
import { updateAlertFindings } from '../lib/notify/update-findings.ts';
import { createUpdateDeps } from '../lib/update/create-deps.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { telegramAlertSender } from '../lib/notify/telegram-alert-sender.ts';
import { telegramSenderFromEnv } from '../lib/telegram/from-env.ts';
import { secretEnv } from './shared/secret-env.ts';
import { jobMetrics, jobOutcomeMetrics } from './shared/job-metrics.ts';

const logger = new Logger({ serviceName: 'candlelake-update' });
const metrics = jobMetrics('update');
// Built at cold start: a bad configuration fails the init phase with one clear message.
const deps = createUpdateDeps(loadConfig({ env: process.env }), fromPowertools(logger));

/** What the invocation returns (and what the CLI prints with `--json`, in short). */
export interface UpdateHandlerResult {
  runId: string;
  outcome: string;
  summary: string;
  candlesWritten: number;
  failures: number;
}

/** Accepts EventBridge's scheduled event or a manual `{ "since": "2024-01-01" }`. */
interface UpdateEvent {
  source?: string;
  since?: string;
}

async function updateHandler(event: UpdateEvent | undefined, _context: Context): Promise<UpdateHandlerResult> {
  const runId = newRunId('update', Date.now());
  logger.appendKeys({ runId });
  const sinceMs = event?.since ? Date.parse(event.since) : undefined;
  if (sinceMs !== undefined && !Number.isFinite(sinceMs)) throw new Error(`invalid "since" in event: ${event?.since}`);
  const record = await runUpdate(deps, {
    trigger: event?.source === 'aws.events' ? 'schedule' : 'invoke',
    runId,
    ...(sinceMs !== undefined ? { sinceMs } : {}),
  });
  publishWeightMetrics(record.details.weight);
  // Findings become alerts in the lake (stored first, resolved when they clear). Delivered here
  // when Telegram is configured — a CRITICAL goes out at once; otherwise the digest and the
  // notifier deliver them.
  const findings = updateAlertFindings(record);
  if (findings) {
    const telegram = telegramSenderFromEnv(await secretEnv(process.env), deps.logger);
    await publishJobFindings(
      { store: deps.store, clock: deps.clock, logger: deps.logger, ...(telegram ? { sender: telegramAlertSender(telegram) } : {}) },
      'update', runId, findings,
    );
  }
  if (record.outcome === 'failed') throw new Error(`update ${runId} failed: ${record.summary}`);
  return {
    runId,
    outcome: record.outcome,
    summary: record.summary,
    candlesWritten: record.details.totals.candlesWritten,
    failures: record.details.failures.length,
  };
}

/**
 * The exchange weight of the run, for the dashboard: what this job spent, and the peak the exchange
 * reported for the whole IP (the live trader included) — the number that gets an IP banned. Its own
 * EMF line, so the job-outcome line keeps its fixed set of metrics.
 */
function publishWeightMetrics(weight: WeightReport): void {
  metrics.addMetric('ExchangeWeightUsed', MetricUnit.Count, weight.weightUsed);
  metrics.addMetric('ExchangePeakIpWeight1m', MetricUnit.Count, weight.peakIpWeight1m);
  metrics.publishStoredMetrics();
}

export const handler = middy(updateHandler).use(injectLambdaContext(logger, { resetKeys: true })).use(jobOutcomeMetrics(metrics));
