/**
 * Lambda door of the alarm notifier, subscribed to the SNS AlertsTopic. Each record's Message is
 * a CloudWatch alarm notification (JSON with AlarmName, NewStateValue, NewStateReason,
 * StateChangeTime), an alert envelope (lib/notify/sns-alerts.ts: the recovery function's messages,
 * raised under their own job and severity), or plain text. An alarm in ALARM opens the
 * CRITICAL alert `alarm:<AlarmName>`; the same alarm back to OK resolves it; plain text opens the
 * CRITICAL alert `sns:<sha1 of its first line>`. Then one delivery pass sends what is due through
 * Telegram, or the log when Telegram is not configured. The lake keeps every alert either way.
 */
import { createHash } from 'node:crypto';
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SNSEvent } from 'aws-lambda';
import { deliverAlerts, openAlerts, raiseAlerts, type AlertDeps, type AlertFinding } from '../lib/alerts/index.ts';
import { systemClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { newRunId } from '../lib/lake/run-records.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { parseSnsAlert } from '../lib/notify/sns-alerts.ts';
import { alertSenderFromEnv } from '../lib/notify/telegram-alert-sender.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import { secretEnv } from './shared/secret-env.ts';

/** The job name the notifier's alerts are raised under. */
const ALARMS_JOB = 'alarms';

const logger = new Logger({ serviceName: 'candlelake-notifier' });
const jobLogger = fromPowertools(logger);
// Built at cold start: a bad configuration fails the init phase with one clear message.
const deps: AlertDeps = { store: openObjectStore(loadConfig({ env: process.env }).lake), clock: systemClock, logger: jobLogger };

/** What the invocation returns. */
export interface NotifierHandlerResult {
  runId: string;
  opened: string[];
  resolved: string[];
  messages: number;
}

/** One SNS message, read: an alarm changing state, or a text to pass on. */
export type NotifierMessage =
  | { kind: 'alarm'; alarmName: string; state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; reason: string; changedAt: string }
  | { kind: 'alert'; job: string; finding: AlertFinding }
  | { kind: 'text'; text: string };

/**
 * Reads one SNS Message: a CloudWatch alarm notification when it is JSON with AlarmName and
 * NewStateValue, plain text otherwise.
 * @example parseNotifierMessage('{"AlarmName":"a","NewStateValue":"OK"}').kind // 'alarm'
 */
export function parseNotifierMessage(message: string): NotifierMessage {
  const alert = parseSnsAlert(message);
  if (alert) return { kind: 'alert', job: alert.job, finding: { key: alert.key, severity: alert.severity, text: alert.text } };
  try {
    const body = JSON.parse(message) as Record<string, unknown>;
    const state = body['NewStateValue'];
    if (typeof body === 'object' && body !== null && typeof body['AlarmName'] === 'string' && (state === 'ALARM' || state === 'OK' || state === 'INSUFFICIENT_DATA')) {
      return {
        kind: 'alarm',
        alarmName: body['AlarmName'],
        state,
        reason: typeof body['NewStateReason'] === 'string' ? body['NewStateReason'] : '',
        changedAt: typeof body['StateChangeTime'] === 'string' ? body['StateChangeTime'] : '',
      };
    }
  } catch {
    // Not JSON: plain text.
  }
  return { kind: 'text', text: message };
}

/**
 * The alert key of a plain-text message: its first line, hashed, so the same escalation repeated
 * is one alert.
 * @example textAlertKey('restarts stopped\ndetails') // 'sns:3f0c…'
 */
export function textAlertKey(text: string): string {
  const firstLine = text.trim().split('\n')[0] ?? '';
  return `sns:${createHash('sha1').update(firstLine).digest('hex')}`;
}

/** Applies one message to the lake's alerts; returns what it opened and resolved. */
async function applyMessage(message: NotifierMessage, runId: string): Promise<{ opened: string[]; resolved: string[] }> {
  const source = { job: ALARMS_JOB, runId };
  if (message.kind === 'alert') {
    // Raised under its own job (e.g. `recovery`), so that job's own resolution clears it.
    const summary = await raiseAlerts(deps, { job: message.job, runId }, [message.finding], { job: message.job, clearMissing: false });
    return { opened: summary.opened, resolved: [] };
  }
  if (message.kind === 'text') {
    const finding: AlertFinding = { key: textAlertKey(message.text), severity: 'CRITICAL', text: message.text.trim() || '(empty SNS message)' };
    const summary = await raiseAlerts(deps, source, [finding], { job: ALARMS_JOB, clearMissing: false });
    return { opened: summary.opened, resolved: [] };
  }
  const key = `alarm:${message.alarmName}`;
  if (message.state === 'ALARM') {
    const text = `${message.alarmName}: ${message.reason || 'in ALARM'}${message.changedAt ? ` (${message.changedAt})` : ''}`;
    const summary = await raiseAlerts(deps, source, [{ key, severity: 'CRITICAL', text }], { job: ALARMS_JOB, clearMissing: false });
    return { opened: summary.opened, resolved: [] };
  }
  if (message.state !== 'OK') return { opened: [], resolved: [] };
  // OK resolves this alarm's key only: the job's other open alerts are raised again as they are,
  // with clearMissing, so exactly this key is missing from the complete list.
  const open = (await openAlerts(deps.store)).filter((a) => a.state === 'open' && a.source.job === ALARMS_JOB);
  if (!open.some((a) => a.key === key)) return { opened: [], resolved: [] };
  const others = open.filter((a) => a.key !== key).map((a): AlertFinding => ({ key: a.key, severity: a.severity, text: a.text }));
  const summary = await raiseAlerts(deps, source, others, { job: ALARMS_JOB, clearMissing: true });
  return { opened: [], resolved: summary.resolved };
}

async function notifierHandler(event: SNSEvent, _context: Context): Promise<NotifierHandlerResult> {
  const runId = newRunId(ALARMS_JOB, Date.now());
  logger.appendKeys({ runId });
  const opened: string[] = [];
  const resolved: string[] = [];
  for (const record of event.Records ?? []) {
    const message = parseNotifierMessage(record.Sns.Message);
    const changed = await applyMessage(message, runId);
    opened.push(...changed.opened);
    resolved.push(...changed.resolved);
    logger.info('sns message', { kind: message.kind, ...(message.kind === 'alarm' ? { alarmName: message.alarmName, state: message.state } : {}), ...changed });
  }
  // The token comes from SSM once per container (functions/shared/secret-env.ts).
  const sender = alertSenderFromEnv(await secretEnv(process.env), jobLogger);
  const delivery = await deliverAlerts({ ...deps, sender });
  return { runId, opened, resolved, messages: delivery.messages };
}

export const handler = middy(notifierHandler).use(injectLambdaContext(logger, { resetKeys: true }));
