/**
 * Lambda door of the sentiment job (EventBridge `cron(0 2 * * ? *)`, or a manual invoke): runs
 * `lib/sentiment` with the FRED key from SSM (none: macro skipped, said once), raises its findings
 * as alerts, and fails the invocation only when every source failed — one source down is a
 * WARNING alert, not a retry of the others.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { publishJobFindings } from '../lib/notify/job-alerts.ts';
import { telegramAlertSender } from '../lib/notify/telegram-alert-sender.ts';
import { createSentimentDeps } from '../lib/sentiment/create-deps.ts';
import { runSentiment, type SentimentDeps } from '../lib/sentiment/index.ts';
import { telegramSenderFromEnv } from '../lib/telegram/from-env.ts';
import { jobMetrics, jobOutcomeMetrics } from './shared/job-metrics.ts';
import { secretEnv } from './shared/secret-env.ts';

const logger = new Logger({ serviceName: 'candlelake-sentiment' });
const metrics = jobMetrics('sentiment');
const jobLogger = fromPowertools(logger);
// Built at cold start: a bad configuration fails the init phase with one clear message.
const config = loadConfig({ env: process.env });
let deps: SentimentDeps | undefined;

/** What the invocation returns. */
export interface SentimentHandlerResult {
  runId: string;
  outcome: string;
  summary: string;
}

async function sentimentHandler(event: { source?: string } | undefined, _context: Context): Promise<SentimentHandlerResult> {
  const runId = newRunId('sentiment', Date.now());
  logger.appendKeys({ runId });
  const env = await secretEnv(process.env);
  deps ??= createSentimentDeps(config, jobLogger, systemClock, env['FRED_API_KEY']);
  const result = await runSentiment(deps, { trigger: event?.source === 'aws.events' ? 'schedule' : 'invoke', runId });
  if (result.outcome !== 'skipped') {
    const telegram = telegramSenderFromEnv(env, jobLogger);
    await publishJobFindings(
      { store: deps.store, clock: systemClock, logger: jobLogger, ...(telegram ? { sender: telegramAlertSender(telegram) } : {}) },
      'sentiment', runId, result.findings,
    );
  }
  if (result.outcome === 'failed') throw new Error(`sentiment ${runId} failed: ${result.summary}`);
  return { runId, outcome: result.outcome, summary: result.summary };
}

export const handler = middy(sentimentHandler).use(injectLambdaContext(logger, { resetKeys: true })).use(jobOutcomeMetrics(metrics));
