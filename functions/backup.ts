/**
 * Lambda door of the weekly backup (EventBridge `cron(0 3 ? * SUN *)`, or a manual invoke): runs
 * `lib/backup/job.ts` — compaction, snapshot into the backup bucket, retention, integrity — and
 * raises its findings as alerts (a CRITICAL to Telegram at once when configured). A backup that
 * failed or found a damaged object fails the invocation, so the retry, the dead-letter queue and
 * the error alarm see it.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { runBackup } from '../lib/backup/job.ts';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { publishJobFindings } from '../lib/notify/job-alerts.ts';
import { telegramAlertSender } from '../lib/notify/telegram-alert-sender.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import { telegramSenderFromEnv } from '../lib/telegram/from-env.ts';
import { jobMetrics, jobOutcomeMetrics } from './shared/job-metrics.ts';
import { secretEnv } from './shared/secret-env.ts';

const logger = new Logger({ serviceName: 'candlelake-backup' });
const metrics = jobMetrics('backup');
const jobLogger = fromPowertools(logger);
// Built at cold start: a bad configuration (no CANDLELAKE_BACKUP) fails the init phase with one clear message.
const config = loadConfig({ env: process.env });
if (!config.backup.url) throw new Error('CANDLELAKE_BACKUP must name the backup bucket (s3://bucket/prefix) for the backup function');
const lake = openObjectStore(config.lake);
const backup = openObjectStore(config.backup.url);

/** What the invocation returns. */
export interface BackupHandlerResult {
  runId: string;
  outcome: string;
  summary: string;
  snapshotId?: string;
  integrityProblems: number;
}

async function backupHandler(event: { source?: string; noCompact?: boolean } | undefined, _context: Context): Promise<BackupHandlerResult> {
  const runId = newRunId('backup', Date.now());
  logger.appendKeys({ runId });
  const result = await runBackup(
    { lake, backup, clock: systemClock, logger: jobLogger, config },
    { trigger: event?.source === 'aws.events' ? 'schedule' : 'invoke', runId, ...(event?.noCompact ? { noCompact: true } : {}) },
  );
  const telegram = telegramSenderFromEnv(await secretEnv(process.env), jobLogger);
  await publishJobFindings(
    { store: lake, clock: systemClock, logger: jobLogger, ...(telegram ? { sender: telegramAlertSender(telegram) } : {}) },
    'backup', runId, result.findings,
  );
  logger.info(`backup ${result.outcome}`, { summary: result.summary });
  if (result.outcome === 'failed') throw new Error(`backup ${runId} failed: ${result.summary}`);
  return {
    runId, outcome: result.outcome, summary: result.summary,
    ...(result.snapshot ? { snapshotId: result.snapshot.id } : {}),
    integrityProblems: result.integrity?.problems.length ?? 0,
  };
}

export const handler = middy(backupHandler).use(injectLambdaContext(logger, { resetKeys: true })).use(jobOutcomeMetrics(metrics));
