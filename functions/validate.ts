/**
 * Lambda door of the validate job (EventBridge `cron(0 1 * * ? *)`, or a manual invoke). Builds its
 * clients once per container, runs `lib/validate`, and answers with the report's headline.
 *
 * Outcome contract: a validation that *finds* problems has done its job. A CRITICAL status does
 * not fail the invocation; it reaches people through the `ValidateStatus` metric (2 = CRITICAL)
 * and the `ValidateCriticalAlarm` on it (serverless.yml), and through the stored report. Failing
 * the invocation would also make Lambda retry the asynchronous (scheduled) invocation (once, see serverless.yml),
 * re-validating and re-repairing a lake whose status cannot change in between. Only a job that
 * could not run (`runValidate` throws: lake unreachable, metrics not published, …) fails it, so
 * Lambda's Errors metric and retries see that.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { exchangeFromConfig } from '../lib/exchange/from-config.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { metricsSinkFromEnv } from '../lib/metrics/index.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import { runValidate, type ValidateDeps, type ValidateReport } from '../lib/validate/index.ts';
import { publishJobFindings } from '../lib/notify/job-alerts.ts';
import { telegramAlertSender } from '../lib/notify/telegram-alert-sender.ts';
import { telegramSenderFromEnv } from '../lib/telegram/from-env.ts';
import { secretEnv } from './shared/secret-env.ts';
import { jobMetrics, jobOutcomeMetrics } from './shared/job-metrics.ts';

const logger = new Logger({ serviceName: 'candlelake-validate' });
const metrics = jobMetrics('validate');
const jobLogger = fromPowertools(logger);
// Built at cold start: a bad configuration (or CANDLELAKE_METRICS value) fails the init phase with one clear message.
const config = loadConfig({ env: process.env });
const deps: ValidateDeps = {
  store: openObjectStore(config.lake),
  // For classifying gaps (does the exchange have these candles?) and re-fetching the ones it has.
  exchange: exchangeFromConfig(config.exchange, {
    onRetry: (error, attempt) => jobLogger.warn('exchange request retried', { attempt, reason: error.message }),
  }),
  clock: systemClock,
  logger: jobLogger,
  config,
  metrics: metricsSinkFromEnv(process.env, jobLogger),
};

/** What the invocation returns: the report's headline (the report itself is in the lake). */
export interface ValidateHandlerResult {
  runId: string;
  status: ValidateReport['status'];
  findings: number;
  staleSeries: number;
  /** Candles re-fetched into the lake by this run's repairs. */
  repaired: number;
}

/** Accepts EventBridge's scheduled event or a manual `{ "repair": false }` (report gaps, write no candles). */
interface ValidateEvent {
  source?: string;
  repair?: unknown;
}

async function validateHandler(event: ValidateEvent | undefined, _context: Context): Promise<ValidateHandlerResult> {
  const runId = newRunId('validate', Date.now());
  logger.appendKeys({ runId });
  const repair = event?.repair;
  if (repair !== undefined && typeof repair !== 'boolean') throw new Error(`invalid "repair" in event: ${JSON.stringify(repair)}`);
  // A throw here (the job could not run) fails the invocation; a CRITICAL report does not (see the top of the file).
  const report = await runValidate(deps, {
    trigger: event?.source === 'aws.events' ? 'schedule' : 'invoke',
    runId,
    ...(repair !== undefined ? { repair } : {}),
  });
  // The findings become alerts (stored first, resolved when they clear). Delivered here when this
  // function has Telegram configured; otherwise the digest and the notifier deliver them.
  const telegram = telegramSenderFromEnv(await secretEnv(process.env), jobLogger);
  await publishJobFindings(
    { store: deps.store, clock: systemClock, logger: jobLogger, ...(telegram ? { sender: telegramAlertSender(telegram) } : {}) },
    'validate', runId, report.findings,
  );
  return {
    runId,
    status: report.status,
    findings: report.findings.length,
    staleSeries: report.counts.staleSeries,
    repaired: report.repairs.candlesWritten,
  };
}

export const handler = middy(validateHandler).use(injectLambdaContext(logger, { resetKeys: true })).use(jobOutcomeMetrics(metrics));
