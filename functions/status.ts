/**
 * Lambda door of the health probe (a manual invoke, or an HTTP probe in front of it): reads the
 * lake and the stack's CloudWatch alarms, and answers with `collectStatus`'s report, the same JSON
 * as `candlelake status --json` (which reads the lake, and the alarms with `--alarms <prefix>`).
 * No schedule: a status nobody asked for helps nobody.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import { collectStatus, type StatusReport } from '../lib/status/index.ts';
import { cloudWatchFiringAlarms } from '../lib/status/cloudwatch-alarms.ts';

const logger = new Logger({ serviceName: 'candlelake-status' });
// Built at cold start: a bad configuration fails the init phase with one clear message.
const store = openObjectStore(loadConfig({ env: process.env }).lake);
// The stack's alarms (candlelake-<stage>-…) in ALARM count as problems too; unset, the probe reads the lake only.
const alarmPrefix = process.env['CANDLELAKE_ALARM_PREFIX']?.trim();
const firingAlarms = alarmPrefix ? cloudWatchFiringAlarms(alarmPrefix) : undefined;

/** What the invocation returns: the status report and the run id its log lines carry. */
export type StatusHandlerResult = StatusReport & { runId: string };

async function statusHandler(_event: unknown, _context: Context): Promise<StatusHandlerResult> {
  const runId = newRunId('status', Date.now());
  logger.appendKeys({ runId });
  const report = await collectStatus(store, systemClock, firingAlarms ? { firingAlarms } : {});
  logger.info(`status ${report.status}`, { problems: report.problems });
  return { ...report, runId };
}

export const handler = middy(statusHandler).use(injectLambdaContext(logger, { resetKeys: true }));
