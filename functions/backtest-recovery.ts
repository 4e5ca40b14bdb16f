/**
 * Lambda door of backtest recovery. EventBridge invokes it for (a) the backtest heartbeat alarm
 * changing state ("CloudWatch Alarm State Change", alarm name containing `backtest-heartbeat`) and
 * (b) ECS tasks of the backtest stopping ("ECS Task State Change", lastStatus STOPPED). It
 * validates the event, builds its clients once per container, and runs `handleRecoveryEvent`
 * (lib/recovery/aws-recovery.ts) — the same policy as the local supervisor.
 *
 * Environment: CANDLELAKE_LAKE (s3://bucket/prefix), CANDLELAKE_ECS_CLUSTER,
 * CANDLELAKE_ECS_TASK_DEFINITION, CANDLELAKE_ECS_SUBNETS and CANDLELAKE_ECS_SECURITY_GROUPS
 * (comma lists), CANDLELAKE_ECS_CONTAINER, optional CANDLELAKE_ECS_ASSIGN_PUBLIC_IP
 * (ENABLED — the default, for public subnets without NAT — or DISABLED), and
 * CANDLELAKE_ALERTS_TOPIC_ARN (where its messages go, as alerts for the notifier).
 *
 * Outcome contract: an unrecognised event is logged and answered as ignored (a retry would not make
 * it valid). A failed restart (RunTask) fails the invocation after a CRITICAL message. The Lambda
 * timeout should exceed the longest backoff (60 s with the default policy) plus ~30 s; the wait is
 * shortened to fit the remaining time otherwise. Run it with reserved concurrency 1: the failure
 * history is read-modify-written without a lock.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock/index.ts';
import { fromPowertools } from '../lib/logging/powertools-adapter.ts';
import { openObjectStore } from '../lib/object-store/index.ts';
import {
  handleRecoveryEvent,
  recoveryEventParse,
  RECOVERY_DEFAULTS,
  type RecoveryDeps,
  type RecoveryNotify,
  type RecoveryOutcome,
} from '../lib/recovery/aws-recovery.ts';
import { EcsTaskRunner } from '../lib/recovery/ecs.ts';
import { RECOVERY_ALERT_JOB } from '../lib/notify/recovery-alerts.ts';
import { snsAlertPublisher } from '../lib/notify/sns-alerts.ts';

/** Time kept back from the backoff wait for RunTask, the history write and logging. */
const SAFETY_MARGIN_MS = 20_000;

const logger = new Logger({ serviceName: 'candlelake-backtest-recovery' });
const jobLogger = fromPowertools(logger);

// Built at cold start: a missing setting fails the init phase with one clear message.
const runner = new EcsTaskRunner({
  cluster: required('CANDLELAKE_ECS_CLUSTER'),
  taskDefinition: required('CANDLELAKE_ECS_TASK_DEFINITION'),
  subnets: list('CANDLELAKE_ECS_SUBNETS'),
  securityGroups: list('CANDLELAKE_ECS_SECURITY_GROUPS'),
  assignPublicIp: assignPublicIp(process.env.CANDLELAKE_ECS_ASSIGN_PUBLIC_IP),
  containerName: required('CANDLELAKE_ECS_CONTAINER'),
});
// Each message goes to the alerts topic as an alert (job `recovery`, one key per severity); the
// notifier stores it in the lake and sends it. The log line stays, for the log's reader.
const publish = snsAlertPublisher(required('CANDLELAKE_ALERTS_TOPIC_ARN'));
const notify: RecoveryNotify = async (severity, text) => {
  logger.critical(text, { severity });
  await publish({ job: RECOVERY_ALERT_JOB, key: `recovery:backtest:${severity.toLowerCase()}`, severity, text });
};
const deps: RecoveryDeps = {
  store: openObjectStore(required('CANDLELAKE_LAKE')),
  runner,
  clock: systemClock,
  logger: jobLogger,
  notify,
  taskFamily: runner.family,
  containerName: runner.containerName,
};

async function recoveryHandler(event: unknown, context: Context): Promise<RecoveryOutcome> {
  const parsed = recoveryEventParse(event);
  if (!parsed.ok) {
    logger.warn('unrecognised event, ignored', { error: parsed.error });
    return { action: 'ignored', reason: parsed.error };
  }
  const remainingMs = context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  return handleRecoveryEvent(
    { ...deps, maxBackoffWaitMs: Math.max(0, Math.min(RECOVERY_DEFAULTS.maxBackoffWaitMs, remainingMs)) },
    parsed.event,
  );
}

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} must be set for the backtest recovery function`);
  return value;
}

function list(name: string): string[] {
  const items = required(name).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new Error(`${name} must be a comma-separated list with at least one entry`);
  return items;
}

function assignPublicIp(value: string | undefined): boolean {
  const normalised = (value ?? '').trim().toUpperCase();
  if (normalised === '' || normalised === 'ENABLED') return true;
  if (normalised === 'DISABLED') return false;
  throw new Error(`CANDLELAKE_ECS_ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got ${JSON.stringify(value)}`);
}

export const handler = middy(recoveryHandler).use(injectLambdaContext(logger, { resetKeys: true }));
