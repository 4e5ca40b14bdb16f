/**
 * AWS recovery against moto (ECS + S3) through the real SDK: EcsTaskRunner runs, lists and stops
 * Fargate tasks in a moto cluster; the heartbeat and failure history live in an S3 lake on moto;
 * events are built in EventBridge's shapes and validated as the Lambda door validates them.
 * Fixed clock, zero backoff: the policy is the default one with `baseBackoffMs: 0`.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_KEY, type Heartbeat } from '../../../lib/backtest-task/heartbeat.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import { S3ObjectStore } from '../../../lib/object-store/s3.ts';
import {
  handleRecoveryEvent,
  recoveryEventParse,
  type RecoveryDeps,
  type RecoveryEvent,
  type RecoveryNotify,
} from '../../../lib/recovery/aws-recovery.ts';
import { createEcsClient, EcsTaskRunner, RECOVERY_STARTED_BY } from '../../../lib/recovery/ecs.ts';
import { loadRecoveryHistory, RECOVERY_HISTORY_KEY, saveRecoveryHistory } from '../../../lib/recovery/history.ts';
import { DEFAULT_RECOVERY_POLICY, type RecoveryPolicy } from '../../../lib/recovery/policy.ts';
import { s3ClientForTests, useAwsEndpoint } from '../../harness/aws.ts';
import { alarmEvent, ecsStoppedEvent } from './events.ts';
import {
  CONTAINER_NAME,
  createBacktestCluster,
  createMotoNetwork,
  describeTask,
  keepMotoTasksRunning,
  startScheduledTask,
} from './moto-ecs.ts';

const NOW_MS = Date.parse('2025-03-02T00:10:00Z');
const HOUR_MS = 3_600_000;
const ALARM_NAME = 'candlelake-dev-backtest-heartbeat';
const ZERO_BACKOFF: RecoveryPolicy = { ...DEFAULT_RECOVERY_POLICY, baseBackoffMs: 0 };

let ecs: ECSClient;
let network: { subnetId: string; securityGroupId: string };
let bucket: string;
let restoreMotoTransitions: () => Promise<void>;

beforeAll(async () => {
  const endpoint = useAwsEndpoint();
  ecs = createEcsClient();
  network = await createMotoNetwork(endpoint);
  restoreMotoTransitions = await keepMotoTasksRunning(endpoint);
  bucket = `recovery-${randomUUID().slice(0, 18)}`;
  await s3ClientForTests().send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await restoreMotoTransitions?.();
});

/** One cluster, task definition, lake prefix and set of fakes per test. */
interface World {
  cluster: string;
  family: string;
  taskDefinitionArn: string;
  store: S3ObjectStore;
  runner: EcsTaskRunner;
  notify: ReturnType<typeof vi.fn<RecoveryNotify>>;
  logLines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
  deps: RecoveryDeps;
}
let world: World;

beforeEach(async () => {
  const { cluster, family, taskDefinitionArn } = await createBacktestCluster(ecs);
  const store = new S3ObjectStore({ bucket, prefix: `lake-${randomUUID().slice(0, 8)}`, client: s3ClientForTests() });
  const runner = new EcsTaskRunner({
    cluster,
    taskDefinition: family,
    subnets: [network.subnetId],
    securityGroups: [network.securityGroupId],
    assignPublicIp: true,
    containerName: CONTAINER_NAME,
    client: ecs,
  });
  const logLines: World['logLines'] = [];
  const logger: JobLogger = {
    debug: (message, fields) => logLines.push({ level: 'debug', message, fields }),
    info: (message, fields) => logLines.push({ level: 'info', message, fields }),
    warn: (message, fields) => logLines.push({ level: 'warn', message, fields }),
    error: (message, fields) => logLines.push({ level: 'error', message, fields }),
  };
  const notify = vi.fn<RecoveryNotify>(async () => {});
  world = {
    cluster, family, taskDefinitionArn, store, runner, notify, logLines,
    deps: {
      store, runner, logger, notify,
      clock: fixedClock(NOW_MS),
      policy: ZERO_BACKOFF,
      sleep: async () => {},
      taskFamily: family,
      containerName: CONTAINER_NAME,
    },
  };
});

function parsed(event: unknown): RecoveryEvent {
  const result = recoveryEventParse(event);
  if (!result.ok) throw new Error(result.error);
  return result.event;
}

async function writeHeartbeat(taskId: string, atMs: number, state: Heartbeat['state'] = 'running'): Promise<void> {
  const heartbeat: Heartbeat = { runId: 'backtest-2025-03-01', runDate: '2025-03-01', state, atMs, unitsDone: 40, unitsTotal: 120, taskId, shard: 'all' };
  await world.store.put(HEARTBEAT_KEY, JSON.stringify(heartbeat), { contentType: 'application/json' });
}

const scheduledTask = (): Promise<string> => startScheduledTask(ecs, { cluster: world.cluster, family: world.family, ...network });

/** ECS stopping a task on its own (essential container exited): moto's StopTask stands in. */
async function ecsStopsTask(taskArn: string): Promise<void> {
  await ecs.send(new StopTaskCommand({ cluster: world.cluster, task: taskArn, reason: 'Essential container in task exited' }));
}

describe('a hung task', () => {
  it('is stopped with a recovery reason and replaced; the history holds the hang and our stop', async () => {
    const hung = await scheduledTask();
    await writeHeartbeat(hung, NOW_MS - 5 * 60_000);

    const outcome = await handleRecoveryEvent(world.deps, parsed(alarmEvent(ALARM_NAME, 'ALARM', NOW_MS)));

    expect(outcome).toMatchObject({ action: 'stopped-and-restarted', stoppedTaskIds: [hung], waitedMs: 0 });
    const stopped = await describeTask(ecs, world.cluster, hung);
    expect(stopped.lastStatus).toBe('STOPPED');
    expect(stopped.stoppedReason).toBe('candlelake-recovery: hung (no heartbeat for 300 s)');
    const running = await world.runner.runningTasks();
    expect(running).toHaveLength(1);
    expect(running[0]!.taskId).not.toBe(hung);
    expect(running[0]!.lastStatus).toBe('RUNNING');
    const replacement = await describeTask(ecs, world.cluster, running[0]!.taskId);
    expect(replacement).toMatchObject({ startedBy: RECOVERY_STARTED_BY, launchType: 'FARGATE' });
    expect(outcome.action === 'stopped-and-restarted' && outcome.newTaskId).toBe(running[0]!.taskId);
    const history = await loadRecoveryHistory(world.store);
    expect(history.failures).toEqual([{ atMs: NOW_MS, kind: 'hang', taskId: hung, detail: 'no heartbeat for 300 s' }]);
    expect(history.stoppedByRecovery).toEqual([hung]);
  });

  it('is left alone when the heartbeat object is fresh (the alarm is not confirmed)', async () => {
    const task = await scheduledTask();
    await writeHeartbeat(task, NOW_MS - 30_000);

    const outcome = await handleRecoveryEvent(world.deps, parsed(alarmEvent(ALARM_NAME, 'ALARM', NOW_MS)));

    expect(outcome).toMatchObject({ action: 'ignored', reason: expect.stringContaining('not confirmed') });
    expect((await world.runner.runningTasks()).map((t) => t.taskId)).toEqual([task]);
    expect(await world.store.get(RECOVERY_HISTORY_KEY)).toBeUndefined();
  });
});

describe('a crashed task', () => {
  it('is restarted after a STOPPED event with exit code 4', async () => {
    const crashed = await scheduledTask();
    await ecsStopsTask(crashed);
    const event = ecsStoppedEvent(
      { taskArn: crashed, taskDefinitionArn: world.taskDefinitionArn, exitCode: 4, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
      NOW_MS,
    );

    const outcome = await handleRecoveryEvent(world.deps, parsed(event));

    expect(outcome).toMatchObject({ action: 'restarted', decision: { action: 'restart', attempt: 1 } });
    const running = await world.runner.runningTasks();
    expect(running).toHaveLength(1);
    expect(outcome.action === 'restarted' && outcome.newTaskId).toBe(running[0]!.taskId);
    expect((await describeTask(ecs, world.cluster, running[0]!.taskId)).startedBy).toBe(RECOVERY_STARTED_BY);
    const history = await loadRecoveryHistory(world.store);
    expect(history.failures).toMatchObject([{ kind: 'crash', taskId: crashed, detail: expect.stringContaining('exit 4') }]);
  });
});

describe('a stop we caused', () => {
  it.each([
    ['with the stop reason ECS reports for our StopTask', true],
    ['even when the event lacks that reason (found in the history)', false],
  ])('is not restarted twice — %s', async (_name, keepReason) => {
    const hung = await scheduledTask();
    await writeHeartbeat(hung, NOW_MS - 3 * 60_000);
    await handleRecoveryEvent(world.deps, parsed(alarmEvent(ALARM_NAME, 'ALARM', NOW_MS)));
    const stopped = await describeTask(ecs, world.cluster, hung);
    const event = ecsStoppedEvent(
      {
        taskArn: hung,
        taskDefinitionArn: world.taskDefinitionArn,
        exitCode: 143, // SIGTERM from StopTask
        stopCode: 'UserInitiated',
        ...(keepReason ? { stoppedReason: stopped.stoppedReason } : {}),
      },
      NOW_MS + 40_000,
    );

    const outcome = await handleRecoveryEvent(world.deps, parsed(event));

    expect(outcome).toMatchObject({ action: 'ignored', taskId: hung, reason: expect.stringContaining('a stop we caused is not restarted twice') });
    expect(await world.runner.runningTasks()).toHaveLength(1); // still exactly one replacement
    expect((await loadRecoveryHistory(world.store)).failures).toHaveLength(1);
  });
});

describe('the third failure in 24 h', () => {
  it('escalates instead of restarting: CRITICAL with the runbook text, no new task, gaveUpAtMs set', async () => {
    await saveRecoveryHistory(world.store, {
      failures: [
        { atMs: NOW_MS - 30 * HOUR_MS, kind: 'crash', taskId: 'arn:aws:ecs:us-east-1:123456789012:task/old/a', detail: 'exit 1' }, // outside the window
        { atMs: NOW_MS - 3 * HOUR_MS, kind: 'crash', taskId: 'arn:aws:ecs:us-east-1:123456789012:task/x/b', detail: 'exit 4' },
        { atMs: NOW_MS - 1 * HOUR_MS, kind: 'hang', taskId: 'arn:aws:ecs:us-east-1:123456789012:task/x/c', detail: 'no heartbeat for 130 s' },
      ],
      stoppedByRecovery: ['arn:aws:ecs:us-east-1:123456789012:task/x/c'],
    });
    const crashed = await scheduledTask();
    await ecsStopsTask(crashed);

    const outcome = await handleRecoveryEvent(
      world.deps,
      parsed(ecsStoppedEvent({ taskArn: crashed, taskDefinitionArn: world.taskDefinitionArn, exitCode: 4, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }, NOW_MS)),
    );

    expect(outcome).toMatchObject({ action: 'gave-up', notified: true, decision: { action: 'give-up', recentFailures: 3 } });
    expect(world.notify).toHaveBeenCalledTimes(1);
    const [severity, text] = world.notify.mock.calls[0]!;
    expect(severity).toBe('CRITICAL');
    expect(text).toContain('runbook: "rollback, manual"');
    expect(text).toContain('failed 3 times in 24 h');
    expect(await world.runner.runningTasks()).toEqual([]);
    expect((await loadRecoveryHistory(world.store)).gaveUpAtMs).toBe(NOW_MS);
  });

  it('escalates a hang too: the hung task is still stopped, nothing replaces it', async () => {
    await saveRecoveryHistory(world.store, {
      failures: [
        { atMs: NOW_MS - 2 * HOUR_MS, kind: 'crash', taskId: 'arn:aws:ecs:us-east-1:123456789012:task/x/d', detail: 'exit 4' },
        { atMs: NOW_MS - 1 * HOUR_MS, kind: 'failed-to-start', taskId: 'arn:aws:ecs:us-east-1:123456789012:task/x/e', detail: 'TaskFailedToStart' },
      ],
      stoppedByRecovery: [],
    });
    const hung = await scheduledTask();
    await writeHeartbeat(hung, NOW_MS - 10 * 60_000);

    const outcome = await handleRecoveryEvent(world.deps, parsed(alarmEvent(ALARM_NAME, 'ALARM', NOW_MS)));

    expect(outcome).toMatchObject({ action: 'gave-up', stoppedTaskIds: [hung] });
    expect(world.notify).toHaveBeenCalledWith('CRITICAL', expect.stringContaining('runbook'));
    expect(await world.runner.runningTasks()).toEqual([]);
    expect((await describeTask(ecs, world.cluster, hung)).lastStatus).toBe('STOPPED');
  });
});

describe('an alarm with no running task', () => {
  it('does nothing and says why', async () => {
    await writeHeartbeat('arn:aws:ecs:us-east-1:123456789012:task/x/yesterday', NOW_MS - 20 * HOUR_MS, 'finished');

    const outcome = await handleRecoveryEvent(world.deps, parsed(alarmEvent(ALARM_NAME, 'ALARM', NOW_MS)));

    expect(outcome).toEqual({ action: 'ignored', reason: expect.stringContaining('no backtest task is running') });
    expect(await world.runner.runningTasks()).toEqual([]);
    expect(await world.store.get(RECOVERY_HISTORY_KEY)).toBeUndefined();
    expect(world.notify).not.toHaveBeenCalled();
    expect(world.logLines).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringContaining('no backtest task is running') }));
  });
});
