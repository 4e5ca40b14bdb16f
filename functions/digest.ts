/**
 * Lambda door of the digest job (EventBridge `cron(0 4 * * ? *)`, or a manual invoke): runs
 * `lib/digest` with the lake, Telegram (or the log when Telegram is not configured) and the alert
 * sender, and answers with the run id and whether the day was quiet. A digest that could not be
 * built or sent throws, so Lambda's retry, the dead-letter queue and the error alarm see it.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { runDigest } from '../lib/digest/index.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { alertSenderFromEnv } from '../lib/notify/telegram-alert-sender.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import { telegramSenderFromEnv } from '../lib/telegram/from-env.ts';
import { secretEnv } from './shared/secret-env.ts';
import { jobMetrics, jobOutcomeMetrics } from './shared/job-metrics.ts';

const logger = new Logger({ serviceName: 'candlelake-digest' });
const metrics = jobMetrics('digest');
const jobLogger = fromPowertools(logger);
// Built at cold start: a bad configuration fails the init phase with one clear message.
const config = loadConfig({ env: process.env });
const store = openObjectStore(config.lake);

/** What the invocation returns. */
export interface DigestHandlerResult {
  runId: string;
  quiet: boolean;
}

async function digestHandler(_event: unknown, _context: Context): Promise<DigestHandlerResult> {
  // The handler's own id for every log line. lib/digest names its run record with an id of its
  // own (it takes no run id), which the last line and the result carry as well.
  const runId = newRunId('digest', Date.now());
  logger.appendKeys({ runId });
  // The token comes from SSM once per container (functions/shared/secret-env.ts).
  const env = await secretEnv(process.env);
  const telegram = telegramSenderFromEnv(env, jobLogger);
  const digest = await runDigest({
    store,
    clock: systemClock,
    logger: jobLogger,
    cacheDir: config.cacheDir,
    ...(telegram ? { sendText: (text: string) => telegram.sendText(text), sendPhoto: (png: Uint8Array, caption: string) => telegram.sendPhoto(png, caption) } : {}),
    alertSender: alertSenderFromEnv(env, jobLogger),
  });
  logger.info(digest.quiet ? 'digest: all quiet' : 'digest sent', { digestRunId: digest.runId });
  return { runId: digest.runId, quiet: digest.quiet };
}

export const handler = middy(digestHandler).use(injectLambdaContext(logger, { resetKeys: true })).use(jobOutcomeMetrics(metrics));
