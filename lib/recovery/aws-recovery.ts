/**
 * The AWS side of backtest recovery: turns one EventBridge event — the heartbeat alarm going to
 * ALARM, or an ECS task of the backtest stopping — into one decision (ignore, restart, stop and
 * restart, give up), using the same pure policy as the local supervisor (`policy.ts`) and the
 * failure history in the lake (`history.ts`). Pure orchestration: every AWS call goes through
 * the ports it is given (`ObjectStore`, `TaskRunner`), so the Lambda door stays thin.
 *
 * Ordering rules, because each Lambda invocation is fresh and EventBridge may deliver twice:
 * 1. The history (failure, and the task id we are about to stop) is saved BEFORE StopTask, so the
 *    STOPPED event our own stop causes is recognised and not restarted a second time.
 * 2. A STOPPED event for a task already in the history is a duplicate delivery: ignored.
 * 3. The alarm is only trusted after the heartbeat object agrees: a task is hung when its last
 *    sign of life (its heartbeat, or its start if it never beat) is older than the policy allows.
 *
 * Backoff on AWS (a trade-off): the policy asks for a wait before each restart (30 s, then 60 s
 * with the defaults). A Lambda cannot sleep for long, so the function waits
 * min(afterMs, maxBackoffWaitMs) in-process — maxBackoffWaitMs defaults to 60 s, and the handler
 * lowers it to what the invocation's remaining time allows. With the default policy the third
 * failure gives up, so the longest wait asked for is 60 s and a Lambda timeout ≥ 90 s keeps the
 * policy exact. A policy asking for longer waits gets them shortened (logged as `waitedMs` <
 * `afterMs`); the exact alternative — a one-shot EventBridge Scheduler rule or a Step Functions
 * wait — costs more infrastructure than a nightly job with at most two restarts warrants.
 */
import { z } from 'zod';
import { readHeartbeat, type Heartbeat } from '../backtest-task/heartbeat.ts';
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { ecsTaskDefinitionFamily, type RunningTask, type TaskRunner } from './ecs.ts';
import { loadRecoveryHistory, saveRecoveryHistory } from './history.ts';
import {
  DEFAULT_RECOVERY_POLICY,
  decideAfterFailure,
  isHung,
  type FailureKind,
  type FailureRecord,
  type RecoveryDecision,
  type RecoveryPolicy,
} from './policy.ts';

/** How loud a recovery message is; `CRITICAL` asks a person to step in. */
export type RecoverySeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** Sends a message to people (log line for now; SNS / Telegram later). */
export type RecoveryNotify = (severity: RecoverySeverity, text: string) => Promise<void>;

/**
 * What {@link handleRecoveryEvent} works with. Only `store`, `runner`, `clock` and `logger` are required.
 * @example const deps: RecoveryDeps = { store, runner, clock: systemClock, logger };
 */
export interface RecoveryDeps {
  /** The lake: heartbeat object and failure history. */
  store: ObjectStore;
  runner: TaskRunner;
  clock: Clock;
  logger: JobLogger;
  /** Defaults to an error log line (nobody is paged). */
  notify?: RecoveryNotify;
  /** Defaults to {@link DEFAULT_RECOVERY_POLICY}, the local supervisor's. */
  policy?: RecoveryPolicy;
  /** Waits before a restart; defaults to a timer. Tests pass a no-op. */
  sleep?: (ms: number) => Promise<void>;
  /** Upper bound on the in-process backoff wait (see the module comment). Default 60 s. */
  maxBackoffWaitMs?: number;
  /** The backtest's task-definition family: STOPPED events of other families are ignored. */
  taskFamily?: string;
  /** The backtest container: its exit code is the task's. Unset: any non-zero exit code counts. */
  containerName?: string;
}

/** The defaults merged under {@link RecoveryDeps}' optional settings. */
export const RECOVERY_DEFAULTS = {
  maxBackoffWaitMs: 60_000,
  /** Alarms whose name contains this are heartbeat alarms of the backtest. */
  alarmNameContains: 'backtest-heartbeat',
  /** Every StopTask reason we give starts with this, so our stops are recognisable in events. */
  stopReasonPrefix: 'candlelake-recovery:',
} as const;

const ecsContainerSchema = z.object({
  name: z.string().optional(),
  exitCode: z.number().int().nullish(),
  reason: z.string().nullish(),
  lastStatus: z.string().optional(),
});

/** EventBridge "ECS Task State Change" (source `aws.ecs`), the fields recovery reads. */
const ecsTaskStateChangeSchema = z.object({
  'detail-type': z.literal('ECS Task State Change'),
  source: z.string().optional(),
  time: z.string().optional(),
  detail: z.object({
    taskArn: z.string().min(1),
    lastStatus: z.string(),
    desiredStatus: z.string().optional(),
    clusterArn: z.string().optional(),
    taskDefinitionArn: z.string().optional(),
    group: z.string().optional(),
    startedBy: z.string().optional(),
    stopCode: z.string().nullish(),
    stoppedReason: z.string().nullish(),
    containers: z.array(ecsContainerSchema).default([]),
  }),
});

/** EventBridge "CloudWatch Alarm State Change" (source `aws.cloudwatch`), the fields recovery reads. */
const alarmStateChangeSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.string().optional(),
  time: z.string().optional(),
  detail: z.object({
    alarmName: z.string(),
    state: z.object({ value: z.string(), reason: z.string().optional(), timestamp: z.string().optional() }),
    previousState: z.object({ value: z.string() }).partial().optional(),
  }),
});

/** The EventBridge events the recovery function is subscribed to. */
export const recoveryEventSchema = z.discriminatedUnion('detail-type', [ecsTaskStateChangeSchema, alarmStateChangeSchema]);
export type EcsTaskStateChangeEvent = z.input<typeof ecsTaskStateChangeSchema>;
export type AlarmStateChangeEvent = z.input<typeof alarmStateChangeSchema>;
export type RecoveryEvent = EcsTaskStateChangeEvent | AlarmStateChangeEvent;

/**
 * Validates an incoming event. Returns the error text instead of throwing, so the Lambda door
 * can log an unexpected event and return (a retry would not make it valid).
 * @example const parsed = recoveryEventParse(event); if (!parsed.ok) logger.warn(parsed.error);
 */
export function recoveryEventParse(raw: unknown): { ok: true; event: RecoveryEvent } | { ok: false; error: string } {
  const result = recoveryEventSchema.safeParse(raw);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, error: `not an ECS Task State Change or CloudWatch Alarm State Change event: ${z.prettifyError(result.error)}` };
}

/** What a restart waited and started. */
interface RestartFacts {
  decision: Extract<RecoveryDecision, { action: 'restart' }>;
  /** The wait actually taken: `decision.afterMs`, shortened to `maxBackoffWaitMs`. */
  waitedMs: number;
  newTaskId: string;
}

/**
 * The decision taken for one event, returned and logged.
 * `stopped`: hung tasks were stopped but another backtest task is still running healthily, so no
 * replacement was started (two backtests at once would race on the lake).
 *
 * @example
 * const outcome = await handleRecoveryEvent(deps, event);
 * if (outcome.action === 'gave-up') console.log(outcome.decision.message);
 */
export type RecoveryOutcome =
  | { action: 'ignored'; reason: string; taskId?: string }
  | ({ action: 'restarted'; reason: string; failures: FailureRecord[] } & RestartFacts)
  | ({ action: 'stopped-and-restarted'; reason: string; failures: FailureRecord[]; stoppedTaskIds: string[] } & RestartFacts)
  | { action: 'stopped'; reason: string; failures: FailureRecord[]; stoppedTaskIds: string[]; runningTaskIds: string[] }
  | {
      action: 'gave-up';
      reason: string;
      failures: FailureRecord[];
      stoppedTaskIds: string[];
      decision: Extract<RecoveryDecision, { action: 'give-up' }>;
      /** False when the CRITICAL message could not be sent (it is then only in the logs). */
      notified: boolean;
    };

/**
 * Handles one EventBridge event for the daily backtest and returns what was done.
 *
 * @example
 * const outcome = await handleRecoveryEvent(
 *   { store, runner: new EcsTaskRunner(options), clock: systemClock, logger },
 *   { 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'candlelake-backtest-heartbeat', state: { value: 'ALARM' } } },
 * );
 * // { action: 'stopped-and-restarted', stoppedTaskIds: ['arn:…/abc'], newTaskId: 'arn:…/def', … }
 */
export async function handleRecoveryEvent(deps: RecoveryDeps, event: RecoveryEvent): Promise<RecoveryOutcome> {
  const outcome =
    event['detail-type'] === 'CloudWatch Alarm State Change' ? await onAlarm(deps, event) : await onTaskStateChange(deps, event);
  logOutcome(deps.logger, event['detail-type'], outcome);
  return outcome;
}

// ── heartbeat alarm ────────────────────────────────────────────────────────────────────────────

async function onAlarm(deps: RecoveryDeps, event: AlarmStateChangeEvent): Promise<RecoveryOutcome> {
  const { alarmName, state } = event.detail;
  if (!alarmName.includes(RECOVERY_DEFAULTS.alarmNameContains)) {
    return { action: 'ignored', reason: `alarm "${alarmName}" is not a backtest heartbeat alarm` };
  }
  if (state.value !== 'ALARM') return { action: 'ignored', reason: `alarm "${alarmName}" went to ${state.value}, not ALARM` };

  const policy = deps.policy ?? DEFAULT_RECOVERY_POLICY;
  const nowMs = deps.clock.nowMs();
  const tasks = await deps.runner.runningTasks();
  if (tasks.length === 0) {
    // The alarm also fires when no backtest is meant to run (metric missing outside the window).
    return { action: 'ignored', reason: 'heartbeat alarm, but no backtest task is running: nothing is meant to run' };
  }
  const heartbeat = await readHeartbeat(deps.store);
  const verdicts = tasks.map((task) => hangVerdict(task, heartbeat, tasks, nowMs, policy));
  const hung = verdicts.filter((v) => v.hung);
  if (hung.length === 0) {
    return { action: 'ignored', reason: `heartbeat alarm not confirmed by the heartbeat object: ${verdicts.map((v) => v.why).join('; ')}` };
  }

  const history = await loadRecoveryHistory(deps.store);
  const failures = hung.map(
    (v): FailureRecord => ({ atMs: nowMs, kind: 'hang', taskId: v.task.taskId, detail: v.why }),
  );
  history.failures.push(...failures);
  history.stoppedByRecovery.push(...hung.map((v) => v.task.taskId));
  const decision = decideAfterFailure(history.failures, nowMs, policy);
  if (decision.action === 'give-up') history.gaveUpAtMs = nowMs;
  // Rule 1: saved before StopTask, so the STOPPED event of our own stop is recognised.
  await saveRecoveryHistory(deps.store, history);

  const stoppedTaskIds: string[] = [];
  for (const verdict of hung) {
    const silentS = Math.round((nowMs - (verdict.lastSignOfLifeMs ?? nowMs)) / 1000);
    try {
      await deps.runner.stopTask(verdict.task.taskId, `${RECOVERY_DEFAULTS.stopReasonPrefix} hung (no heartbeat for ${silentS} s)`);
      stoppedTaskIds.push(verdict.task.taskId);
    } catch (error) {
      // Most likely it stopped on its own in between; its STOPPED event is ignored as ours (rule 1).
      deps.logger.warn('stopping a hung backtest task failed', { taskId: verdict.task.taskId, error: String(error) });
    }
  }
  const what = `hung: ${hung.map((v) => `${shortTaskId(v.task.taskId)} (${v.why})`).join(', ')}`;

  if (decision.action === 'give-up') {
    const notified = await notifySafely(deps, 'CRITICAL', decision.message);
    return { action: 'gave-up', reason: what, failures, stoppedTaskIds, decision, notified };
  }
  const healthy = verdicts.filter((v) => !v.hung).map((v) => v.task.taskId);
  if (healthy.length > 0) {
    return { action: 'stopped', reason: `${what}; another backtest task is running, no replacement started`, failures, stoppedTaskIds, runningTaskIds: healthy };
  }
  const restart = await restartAfterBackoff(deps, decision, `hang of ${shortTaskId(failures[0]!.taskId)}`);
  return { action: 'stopped-and-restarted', reason: what, failures, stoppedTaskIds, ...restart };
}

interface HangVerdict {
  task: RunningTask;
  hung: boolean;
  /** The last heartbeat of this task, or its start when it never beat; undefined when unknown. */
  lastSignOfLifeMs?: number;
  why: string;
}

/**
 * Whether one running task is hung, judged by the heartbeat object (rule 3). The heartbeat is the
 * task's own when its task id matches, or — when it names none of the running tasks — when it
 * was written after the task started. A task without a heartbeat of its own is judged by its start.
 */
function hangVerdict(task: RunningTask, heartbeat: Heartbeat | undefined, tasks: readonly RunningTask[], nowMs: number, policy: RecoveryPolicy): HangVerdict {
  const id = shortTaskId(task.taskId);
  const namesRunningTask = heartbeat !== undefined && tasks.some((t) => sameTask(t.taskId, heartbeat.taskId));
  const own =
    heartbeat !== undefined &&
    (sameTask(task.taskId, heartbeat.taskId) ||
      (!namesRunningTask && task.startedAtMs !== undefined && heartbeat.atMs >= task.startedAtMs));
  if (own) {
    if (heartbeat.state !== 'running') {
      return { task, hung: false, why: `${id} reported "${heartbeat.state}"; its STOPPED event decides` };
    }
    const silentS = Math.round((nowMs - heartbeat.atMs) / 1000);
    return isHung(heartbeat.atMs, nowMs, policy)
      ? { task, hung: true, lastSignOfLifeMs: heartbeat.atMs, why: `no heartbeat for ${silentS} s` }
      : { task, hung: false, lastSignOfLifeMs: heartbeat.atMs, why: `${id} beat ${silentS} s ago` };
  }
  if (task.startedAtMs === undefined) {
    return { task, hung: false, why: `${id}: no heartbeat of its own and no start time, cannot tell` };
  }
  const sinceStartS = Math.round((nowMs - task.startedAtMs) / 1000);
  // Starting (pulling the image, loading the runtime) is not hanging: the startup grace applies, as locally.
  return isHung(task.startedAtMs + policy.startupGraceMs, nowMs, policy)
    ? { task, hung: true, lastSignOfLifeMs: task.startedAtMs, why: `no heartbeat since it started ${sinceStartS} s ago` }
    : { task, hung: false, lastSignOfLifeMs: task.startedAtMs, why: `${id} started ${sinceStartS} s ago, first heartbeat not due yet` };
}

// ── ECS task state change ──────────────────────────────────────────────────────────────────────

async function onTaskStateChange(deps: RecoveryDeps, event: EcsTaskStateChangeEvent): Promise<RecoveryOutcome> {
  const detail = event.detail;
  const taskId = detail.taskArn;
  if (detail.lastStatus !== 'STOPPED') return { action: 'ignored', taskId, reason: `task is ${detail.lastStatus}, not STOPPED` };
  const family = eventFamily(event);
  if (deps.taskFamily !== undefined && family !== undefined && family !== deps.taskFamily) {
    return { action: 'ignored', taskId, reason: `task of family "${family}", not the backtest's "${deps.taskFamily}"` };
  }
  if (detail.stoppedReason?.startsWith(RECOVERY_DEFAULTS.stopReasonPrefix)) {
    return { action: 'ignored', taskId, reason: `stopped by recovery ("${detail.stoppedReason}"): a stop we caused is not restarted twice` };
  }

  const history = await loadRecoveryHistory(deps.store);
  if (history.stoppedByRecovery.some((id) => sameTask(id, taskId))) {
    return { action: 'ignored', taskId, reason: 'stopped by recovery (in the history): a stop we caused is not restarted twice' };
  }
  if (history.failures.some((f) => sameTask(f.taskId, taskId))) {
    return { action: 'ignored', taskId, reason: 'this task\'s failure is already in the history (duplicate event)' };
  }

  const ending = classifyStop(event, deps.containerName);
  if (ending.kind === 'success' || ending.kind === 'not-ours-to-restart') return { action: 'ignored', taskId, reason: ending.detail };

  const policy = deps.policy ?? DEFAULT_RECOVERY_POLICY;
  const nowMs = deps.clock.nowMs();
  const failure: FailureRecord = { atMs: nowMs, kind: ending.kind, taskId, detail: ending.detail };
  history.failures.push(failure);
  const decision = decideAfterFailure(history.failures, nowMs, policy);
  if (decision.action === 'give-up') history.gaveUpAtMs = nowMs;
  await saveRecoveryHistory(deps.store, history);

  const reason = `${ending.kind} of ${shortTaskId(taskId)}: ${ending.detail}`;
  if (decision.action === 'give-up') {
    const notified = await notifySafely(deps, 'CRITICAL', decision.message);
    return { action: 'gave-up', reason, failures: [failure], stoppedTaskIds: [], decision, notified };
  }
  const restart = await restartAfterBackoff(deps, decision, `${ending.kind} of ${shortTaskId(taskId)}`);
  return { action: 'restarted', reason, failures: [failure], ...restart };
}

type StopClass = { kind: FailureKind | 'success' | 'not-ours-to-restart'; detail: string };

/**
 * How a STOPPED task ended. Exit code 0 of the backtest container is success; a non-zero one a
 * crash; no exit code with a stop reason (`TaskFailedToStart`, image pull, capacity …) a failure
 * to start. A StopTask by someone else (`UserInitiated`, not our prefix) is a person's decision.
 */
function classifyStop(event: EcsTaskStateChangeEvent, containerName: string | undefined): StopClass {
  const { stopCode, stoppedReason } = event.detail;
  const containers = event.detail.containers ?? [];
  const stopText = [stopCode, stoppedReason].filter(Boolean).join(': ');
  if (stopCode === 'UserInitiated') {
    return { kind: 'not-ours-to-restart', detail: `stopped by a StopTask call outside recovery (${stopText}): not restarted` };
  }
  if (stopCode === 'TaskFailedToStart') {
    const containerReasons = containers.map((c) => c.reason).filter(Boolean).join('; ');
    return { kind: 'failed-to-start', detail: [stopText, containerReasons].filter(Boolean).join(' — ') };
  }
  const container =
    containerName !== undefined
      ? containers.find((c) => c.name === containerName)
      : (containers.find((c) => typeof c.exitCode === 'number' && c.exitCode !== 0) ?? containers.find((c) => typeof c.exitCode === 'number'));
  const exitCode = container?.exitCode;
  if (typeof exitCode === 'number') {
    const where = container?.name ? ` (container ${container.name})` : '';
    if (exitCode === 0) return { kind: 'success', detail: `exited 0${where}: finished` };
    const extra = [container?.reason, stopText].filter(Boolean).join('; ');
    return { kind: 'crash', detail: `exit ${exitCode}${where}${extra ? ` — ${extra}` : ''}` };
  }
  if (stopText !== '') return { kind: 'failed-to-start', detail: `no exit code — ${stopText}` };
  return { kind: 'not-ours-to-restart', detail: 'STOPPED without exit code or stop reason: cannot tell how it ended, not restarted' };
}

function eventFamily(event: EcsTaskStateChangeEvent): string | undefined {
  const { taskDefinitionArn, group } = event.detail;
  if (taskDefinitionArn) return ecsTaskDefinitionFamily(taskDefinitionArn);
  if (group?.startsWith('family:')) return group.slice('family:'.length);
  return undefined;
}

// ── shared steps ───────────────────────────────────────────────────────────────────────────────

async function restartAfterBackoff(
  deps: RecoveryDeps,
  decision: Extract<RecoveryDecision, { action: 'restart' }>,
  after: string,
): Promise<RestartFacts> {
  const waitedMs = Math.max(0, Math.min(decision.afterMs, deps.maxBackoffWaitMs ?? RECOVERY_DEFAULTS.maxBackoffWaitMs));
  if (waitedMs < decision.afterMs) {
    deps.logger.warn('backoff shortened to fit the invocation', { afterMs: decision.afterMs, waitedMs });
  }
  if (waitedMs > 0) await (deps.sleep ?? sleepMs)(waitedMs);
  const reason = `${RECOVERY_DEFAULTS.stopReasonPrefix} restart ${decision.attempt} after ${after}`;
  try {
    const { taskId } = await deps.runner.runTask(reason);
    return { decision, waitedMs, newTaskId: taskId };
  } catch (error) {
    // The failure is already in the history: a retried invocation would not restart again, so say it now.
    await notifySafely(deps, 'CRITICAL', `daily backtest restart ${decision.attempt} failed to start (${String(error)}); run it by hand`);
    throw error;
  }
}

async function notifySafely(deps: RecoveryDeps, severity: RecoverySeverity, text: string): Promise<boolean> {
  if (deps.notify === undefined) {
    deps.logger.error(`[${severity}] ${text}`, { severity });
    return true;
  }
  try {
    await deps.notify(severity, text);
    return true;
  } catch (error) {
    deps.logger.error('notify failed; the message is only in this log', { severity, text, error: String(error) });
    return false;
  }
}

function logOutcome(logger: JobLogger, detailType: string, outcome: RecoveryOutcome): void {
  const fields: Record<string, unknown> = { event: detailType, ...outcome };
  if (outcome.action === 'ignored') logger.info(`recovery: ignored — ${outcome.reason}`, fields);
  else if (outcome.action === 'gave-up') logger.error(`recovery: gave up — ${outcome.reason}`, fields);
  else logger.warn(`recovery: ${outcome.action} — ${outcome.reason}`, fields);
}

/** Task ARNs come long (`task/cluster/id`) or short (`task/id`); heartbeats may hold either or the bare id. */
function sameTask(a: string, b: string): boolean {
  return shortTaskId(a) === shortTaskId(b);
}

function shortTaskId(taskId: string): string {
  return taskId.slice(taskId.lastIndexOf('/') + 1);
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
