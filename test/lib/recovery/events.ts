/**
 * EventBridge events as AWS delivers them to the recovery function, built for tests: the full
 * envelope (version, id, source, account, time, region, resources) around the detail that
 * recovery reads. Shapes follow the AWS documentation's examples of "ECS Task State Change"
 * and "CloudWatch Alarm State Change".
 */
import { randomUUID } from 'node:crypto';
import type { AlarmStateChangeEvent, EcsTaskStateChangeEvent } from '../../../lib/recovery/aws-recovery.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/**
 * A "CloudWatch Alarm State Change" event.
 * @example alarmEvent('candlelake-dev-backtest-heartbeat', 'ALARM', Date.now())
 */
export function alarmEvent(alarmName: string, value: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', atMs: number): AlarmStateChangeEvent & Record<string, unknown> {
  const time = new Date(atMs).toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value, reason: 'Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].', timestamp: time },
      previousState: { value: 'OK' },
      configuration: {
        metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'candlelake', name: 'BacktestHeartbeat', dimensions: { job: 'backtest' } }, period: 60, stat: 'SampleCount' }, returnData: true }],
      },
    } as AlarmStateChangeEvent['detail'],
  };
}

/** The parts of a STOPPED task a test varies. */
export interface StoppedTask {
  taskArn: string;
  taskDefinitionArn: string;
  clusterArn?: string;
  containerName?: string;
  exitCode?: number;
  stopCode?: string;
  stoppedReason?: string;
  containerReason?: string;
  startedBy?: string;
}

/**
 * An "ECS Task State Change" event for a task that reached STOPPED.
 * @example ecsStoppedEvent({ taskArn, taskDefinitionArn, exitCode: 4, stopCode: 'EssentialContainerExited' }, now)
 */
export function ecsStoppedEvent(task: StoppedTask, atMs: number): EcsTaskStateChangeEvent & Record<string, unknown> {
  const time = new Date(atMs).toISOString();
  const family = task.taskDefinitionArn.slice(task.taskDefinitionArn.lastIndexOf('/') + 1).replace(/:\d+$/, '');
  const container: Record<string, unknown> = {
    containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${randomUUID()}`,
    lastStatus: 'STOPPED',
    name: task.containerName ?? 'backtest',
    taskArn: task.taskArn,
    cpu: '0',
  };
  if (task.exitCode !== undefined) container.exitCode = task.exitCode;
  if (task.containerReason !== undefined) container.reason = task.containerReason;
  const detail: Record<string, unknown> = {
    clusterArn: task.clusterArn ?? `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/candlelake`,
    containers: [container],
    createdAt: time,
    launchType: 'FARGATE',
    cpu: '1024',
    memory: '2048',
    desiredStatus: 'STOPPED',
    group: `family:${family}`,
    lastStatus: 'STOPPED',
    connectivity: 'CONNECTED',
    startedBy: task.startedBy ?? 'events-rule/candlelake-backtest',
    stoppedAt: time,
    updatedAt: time,
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: 5,
    platformVersion: '1.4.0',
  };
  if (task.stopCode !== undefined) detail.stopCode = task.stopCode;
  if (task.stoppedReason !== undefined) detail.stoppedReason = task.stoppedReason;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [task.taskArn],
    detail: detail as EcsTaskStateChangeEvent['detail'],
  };
}
