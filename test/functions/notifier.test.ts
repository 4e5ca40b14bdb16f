/**
 * The notifier Lambda handler in-process, on a folder lake (CANDLELAKE_LAKE=file://…) and with no
 * Telegram environment, so alerts go to the console sender: an alarm's ALARM notification opens a
 * CRITICAL alert in the lake, the same alarm's OK resolves it, and a plain-text message opens a
 * CRITICAL alert keyed by its first line.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAlerts } from '../../lib/alerts/index.ts';
import { FileObjectStore } from '../../lib/object-store/index.ts';
import { recordCapturedOutput } from '../harness/secret-log-guard.ts';
import type { NotifierHandlerResult } from '../../functions/notifier.ts';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { systemClock } from '../../lib/clock/index.ts';
import { createConsoleLogger } from '../../lib/logging/console-logger.ts';
import { RECOVERY_ALERT_JOB, resolveRecoveryAlerts } from '../../lib/notify/recovery-alerts.ts';
import { snsAlertMessage, snsAlertPublisher } from '../../lib/notify/sns-alerts.ts';
import { useAwsEndpoint } from '../harness/aws.ts';

const ALARM_NAME = 'candlelake-test-update-errors';
const TELEGRAM_VARIABLES = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID', 'TELEGRAM_API_URL', 'TELEGRAM_BOT_TOKEN_PARAMETER'];

const context = {
  functionName: 'candlelake-dev-notifier', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:candlelake-dev-notifier',
  memoryLimitInMB: '256', awsRequestId: 'req-n1', logGroupName: '/aws/lambda/candlelake-dev-notifier', logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60_000,
  done: () => undefined, fail: () => undefined, succeed: () => undefined,
} as Context;

let lakeDir: string;
let store: FileObjectStore;
let handler: (event: SNSEvent, context: Context) => Promise<NotifierHandlerResult>;
const saved: Record<string, string | undefined> = {};
const output: string[] = [];

function snsEvent(message: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:candlelake-dev-alerts:sub',
        Sns: {
          Type: 'Notification', MessageId: 'm1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:candlelake-dev-alerts', Subject: 'alarm',
          Message: message, Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 's', SigningCertUrl: 'u', UnsubscribeUrl: 'u',
          MessageAttributes: {},
        },
      },
    ],
  };
}

function alarmMessage(state: 'ALARM' | 'OK', reason: string): string {
  return JSON.stringify({ AlarmName: ALARM_NAME, NewStateValue: state, NewStateReason: reason, StateChangeTime: new Date().toISOString() });
}

function logLines(): Array<Record<string, unknown>> {
  return output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'fn-notifier-lake-'));
  store = new FileObjectStore(lakeDir);
  for (const name of [...TELEGRAM_VARIABLES, 'CANDLELAKE_LAKE', 'CANDLELAKE_CACHE_DIR', 'POWERTOOLS_LOG_LEVEL']) saved[name] = process.env[name];
  for (const name of TELEGRAM_VARIABLES) delete process.env[name];
  Object.assign(process.env, {
    CANDLELAKE_LAKE: `file://${lakeDir}`,
    CANDLELAKE_CACHE_DIR: await mkdtemp(join(tmpdir(), 'fn-notifier-cache-')),
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      recordCapturedOutput(String(chunk), `notifier ${stream === process.stdout ? 'stdout' : 'stderr'}`);
      return true;
    });
  }
  // Imported after the environment is set: the handler builds its clients at module scope.
  const mod = await import('../../functions/notifier.ts');
  handler = (event, ctx) => mod.handler(event, ctx);
});

afterAll(() => {
  vi.restoreAllMocks();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// The cases share one lake and run in order: the OK resolves what the ALARM opened.
describe('functions/notifier handler', () => {
  it('opens a CRITICAL alert for an alarm in ALARM and tells the console, run id on every log line', async () => {
    output.length = 0;

    const result = await handler(snsEvent(alarmMessage('ALARM', 'Threshold Crossed: 1 datapoint [2.0] was >= 1.0')), context);

    expect(result).toMatchObject({ runId: expect.stringMatching(/^alarms-/), opened: [`alarm:${ALARM_NAME}`], resolved: [], messages: 1 });
    const open = (await openAlerts(store)).filter((a) => a.state === 'open');
    expect(open).toEqual([
      expect.objectContaining({ key: `alarm:${ALARM_NAME}`, severity: 'CRITICAL', source: { job: 'alarms', runId: result.runId }, text: expect.stringContaining('Threshold Crossed') }),
    ]);
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line['runId']).toBe(result.runId);
    expect(lines.some((l) => l['message'] === 'alert' && JSON.stringify(l['keys']) === JSON.stringify([`alarm:${ALARM_NAME}`]))).toBe(true);
  });

  it('resolves that alert when the same alarm returns to OK', async () => {
    const result = await handler(snsEvent(alarmMessage('OK', 'Threshold Crossed: 1 datapoint [0.0] was not >= 1.0')), context);

    expect(result).toMatchObject({ opened: [], resolved: [`alarm:${ALARM_NAME}`] });
    expect((await openAlerts(store)).filter((a) => a.state === 'open')).toEqual([]);
  });

  it('opens a CRITICAL alert keyed by the first line of a plain-text message', async () => {
    const result = await handler(snsEvent('backtest recovery gave up: 3 failures in 24 h\ntask arn:aws:ecs:…'), context);

    expect(result.opened).toEqual([expect.stringMatching(/^sns:[0-9a-f]{40}$/)]);
    const open = (await openAlerts(store)).filter((a) => a.state === 'open');
    expect(open).toEqual([expect.objectContaining({ key: result.opened[0], severity: 'CRITICAL', text: expect.stringContaining('backtest recovery gave up') })]);
  });

  it("stores a recovery alert envelope under its own job and severity, and the finished backtest resolves it", async () => {
    const text = 'daily backtest failed 3 times in 24 h; automatic restarts stopped';
    const message = snsAlertMessage({ job: RECOVERY_ALERT_JOB, key: 'recovery:backtest:critical', severity: 'CRITICAL', text });
    const first = await handler(snsEvent(message), context);
    const again = await handler(snsEvent(message), context);

    expect(first.opened).toEqual(['recovery:backtest:critical']);
    expect(again.opened).toEqual([]);
    const [alert] = (await openAlerts(store)).filter((a) => a.key === 'recovery:backtest:critical');
    expect(alert).toMatchObject({ severity: 'CRITICAL', state: 'open', count: 2, text, source: { job: 'recovery', runId: again.runId } });

    // What runDailyBacktest does when a run finishes.
    const resolved = await resolveRecoveryAlerts({ store, clock: systemClock, logger: createConsoleLogger({ level: 'silent' }) }, 'backtest-2024-06-10');
    expect(resolved).toEqual(['recovery:backtest:critical']);
    expect((await openAlerts(store)).filter((a) => a.key === 'recovery:backtest:critical' && a.state === 'open')).toEqual([]);
  });

  it('the recovery function publishes that envelope to the topic (SNS on moto)', async () => {
    useAwsEndpoint();
    const client = new SNSClient({ region: 'us-east-1' });
    const topic = await client.send(new CreateTopicCommand({ Name: `alerts-${Date.now()}` }));
    const publish = snsAlertPublisher(topic.TopicArn!, client);
    await expect(publish({ job: 'recovery', key: 'recovery:backtest:warning', severity: 'WARNING', text: 'restart 1 in 15 s' })).resolves.toBeUndefined();
    await expect(snsAlertPublisher(`${topic.TopicArn!}-missing`, client)({ job: 'recovery', key: 'k', severity: 'INFO', text: 't' })).rejects.toThrow();
    const { parseNotifierMessage } = await import('../../functions/notifier.ts');
    expect(parseNotifierMessage(snsAlertMessage({ job: 'recovery', key: 'k', severity: 'INFO', text: 't' }))).toEqual({
      kind: 'alert', job: 'recovery', finding: { key: 'k', severity: 'INFO', text: 't' },
    });
  });
});
