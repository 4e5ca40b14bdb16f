/**
 * handleRecoveryEvent's decisions that need no ECS: how a STOPPED event is classified, which
 * alarms count, event validation, the shortened backoff and a failed restart. A fake TaskRunner
 * records calls; the lake is a local folder. The ECS round trips are in aws-recovery.moto.test.ts.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import {
  handleRecoveryEvent,
  recoveryEventParse,
  type RecoveryDeps,
  type RecoveryEvent,
  type RecoveryNotify,
} from '../../../lib/recovery/aws-recovery.ts';
import type { RunningTask, TaskRunner } from '../../../lib/recovery/ecs.ts';
import { loadRecoveryHistory, RECOVERY_HISTORY_KEY } from '../../../lib/recovery/history.ts';
import { DEFAULT_RECOVERY_POLICY } from '../../../lib/recovery/policy.ts';
import { alarmEvent, ecsStoppedEvent, type StoppedTask } from './events.ts';

const NOW_MS = Date.parse('2025-03-02T00:10:00Z');
const TASK_DEF = 'arn:aws:ecs:us-east-1:123456789012:task-definition/candlelake-backtest:7';
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/candlelake/0f1e2d3c4b5a';

function fakeRunner(running: RunningTask[] = []) {
  return {
    running,
    runTask: vi.fn<TaskRunner['runTask']>(async () => ({ taskId: 'arn:aws:ecs:us-east-1:123456789012:task/candlelake/new' })),
    stopTask: vi.fn<TaskRunner['stopTask']>(async () => {}),
    runningTasks: vi.fn<TaskRunner['runningTasks']>(async () => running),
  };
}
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let deps: RecoveryDeps & { runner: ReturnType<typeof fakeRunner>; notify: ReturnType<typeof vi.fn<RecoveryNotify>> };
let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;

beforeEach(async () => {
  sleep = vi.fn(async () => {});
  deps = {
    store: new FileObjectStore(await mkdtemp(join(tmpdir(), 'recovery-'))),
    runner: fakeRunner(),
    clock: fixedClock(NOW_MS),
    logger: silent,
    notify: vi.fn<RecoveryNotify>(async () => {}),
    policy: DEFAULT_RECOVERY_POLICY,
    sleep,
    taskFamily: 'candlelake-backtest',
    containerName: 'backtest',
  };
});

function parsed(event: unknown): RecoveryEvent {
  const result = recoveryEventParse(event);
  if (!result.ok) throw new Error(result.error);
  return result.event;
}
const stopped = (task: Partial<StoppedTask>): RecoveryEvent =>
  parsed(ecsStoppedEvent({ taskArn: TASK, taskDefinitionArn: TASK_DEF, ...task }, NOW_MS));

describe('a STOPPED event', () => {
  it.each([
    { name: 'exit code 0 is success', task: { exitCode: 0, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }, reason: 'exited 0' },
    { name: 'a StopTask by someone else is a person\'s decision', task: { exitCode: 143, stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' }, reason: 'outside recovery' },
    { name: 'a stop reason with our prefix is our own stop', task: { exitCode: 143, stopCode: 'UserInitiated', stoppedReason: 'candlelake-recovery: hung (no heartbeat for 150 s)' }, reason: 'a stop we caused' },
    { name: 'another family is not the backtest', task: { exitCode: 1, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/other:1' }, reason: 'not the backtest' },
    { name: 'no exit code and no reason cannot be judged', task: {}, reason: 'cannot tell' },
  ])('is ignored: $name', async ({ task, reason }) => {
    const outcome = await handleRecoveryEvent(deps, stopped(task));

    expect(outcome).toMatchObject({ action: 'ignored', reason: expect.stringContaining(reason) });
    expect(deps.runner.runTask).not.toHaveBeenCalled();
    expect(await deps.store.get(RECOVERY_HISTORY_KEY)).toBeUndefined();
  });

  it.each([
    { name: 'non-zero exit code', task: { exitCode: 4, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }, kind: 'crash', detail: 'exit 4 (container backtest)' },
    { name: 'TaskFailedToStart', task: { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' }, kind: 'failed-to-start', detail: 'TaskFailedToStart: CannotPullContainerError' },
    { name: 'no exit code but a stop reason', task: { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }, kind: 'failed-to-start', detail: 'no exit code' },
  ])('restarts after a $name, waiting the policy backoff', async ({ task, kind, detail }) => {
    const outcome = await handleRecoveryEvent(deps, stopped(task));

    expect(outcome).toMatchObject({ action: 'restarted', waitedMs: 30_000, failures: [{ kind, taskId: TASK, detail: expect.stringContaining(detail) }] });
    expect(sleep).toHaveBeenCalledWith(30_000);
    expect(deps.runner.runTask).toHaveBeenCalledWith(expect.stringMatching(/^candlelake-recovery: restart 1 after /));
  });

  it('delivered twice restarts once (EventBridge delivers at least once)', async () => {
    const event = stopped({ exitCode: 4 });

    await handleRecoveryEvent(deps, event);
    const second = await handleRecoveryEvent(deps, event);

    expect(second).toMatchObject({ action: 'ignored', reason: expect.stringContaining('duplicate') });
    expect(deps.runner.runTask).toHaveBeenCalledTimes(1);
    expect((await loadRecoveryHistory(deps.store)).failures).toHaveLength(1);
  });

  it('shortens the backoff to maxBackoffWaitMs and says so in the outcome', async () => {
    const outcome = await handleRecoveryEvent({ ...deps, maxBackoffWaitMs: 5_000 }, stopped({ exitCode: 4 }));

    expect(outcome).toMatchObject({ action: 'restarted', waitedMs: 5_000, decision: { afterMs: 30_000 } });
    expect(sleep).toHaveBeenCalledWith(5_000);
  });

  it('whose restart fails sends CRITICAL and fails the invocation', async () => {
    deps.runner.runTask.mockRejectedValueOnce(new Error('RESOURCE:ENI'));

    await expect(handleRecoveryEvent(deps, stopped({ exitCode: 4 }))).rejects.toThrow('RESOURCE:ENI');
    expect(deps.notify).toHaveBeenCalledWith('CRITICAL', expect.stringContaining('failed to start'));
  });
});

describe('a heartbeat alarm', () => {
  it.each([
    { name: 'another alarm', event: alarmEvent('candlelake-dev-validate-critical', 'ALARM', NOW_MS), reason: 'not a backtest heartbeat alarm' },
    { name: 'back to OK', event: alarmEvent('candlelake-dev-backtest-heartbeat', 'OK', NOW_MS), reason: 'went to OK' },
  ])('is ignored: $name', async ({ event, reason }) => {
    deps.runner.running.push({ taskId: TASK, lastStatus: 'RUNNING' });

    const outcome = await handleRecoveryEvent(deps, parsed(event));

    expect(outcome).toMatchObject({ action: 'ignored', reason: expect.stringContaining(reason) });
    expect(deps.runner.stopTask).not.toHaveBeenCalled();
  });

  it.each([
    { name: 'never beat and started 5 min ago: hung', startedAgoMs: 300_000, action: 'stopped-and-restarted' },
    { name: 'never beat and started 1 min ago: first beat not due', startedAgoMs: 60_000, action: 'ignored' },
  ])('judges a task without a heartbeat of its own by its start — $name', async ({ startedAgoMs, action }) => {
    deps.runner.running.push({ taskId: TASK, lastStatus: 'RUNNING', startedAtMs: NOW_MS - startedAgoMs });
    // Yesterday's heartbeat, from another task.
    await deps.store.put('heartbeats/backtest.json', JSON.stringify({ runId: 'r', runDate: '2025-03-01', state: 'finished', atMs: NOW_MS - 20 * 3_600_000, unitsDone: 1, unitsTotal: 1, taskId: 'old', shard: 'all' }));

    const outcome = await handleRecoveryEvent(deps, parsed(alarmEvent('candlelake-dev-backtest-heartbeat', 'ALARM', NOW_MS)));

    expect(outcome.action).toBe(action);
  });
});

describe('event validation', () => {
  it.each([
    { name: 'a scheduled event', event: { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } },
    { name: 'an ECS event without a task ARN', event: { 'detail-type': 'ECS Task State Change', detail: { lastStatus: 'STOPPED' } } },
    { name: 'nothing', event: undefined },
  ])('rejects $name', ({ event }) => {
    expect(recoveryEventParse(event).ok).toBe(false);
  });
});
