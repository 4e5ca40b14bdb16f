/**
 * The daily backtest's AWS side, read from the template `serverless package --stage dev` builds
 * offline (see package-once.ts): the 23:30 schedule that starts the Fargate task, the task
 * definition and its three roles, the crash path (task STOPPED → recovery function) and the hang
 * path (heartbeat alarm → recovery function), the alerts topic, IAM across the whole template, and
 * the recovery function's zip. Then ./Dockerfile, replayed without Docker: its build stage's
 * commands run here, its runtime stage's files are copied out, and the task and the grid worker
 * run from those files alone.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beat, HEARTBEAT_KEY } from '../../lib/backtest-task/heartbeat.ts';
import { TASK_EXIT } from '../../lib/backtest-task/index.ts';
import type { MetricPoint } from '../../lib/metrics/types.ts';
import type { ObjectStore } from '../../lib/object-store/types.ts';
import { RECOVERY_DEFAULTS } from '../../lib/recovery/aws-recovery.ts';
import { RECOVERY_HISTORY_KEY } from '../../lib/recovery/history.ts';
import { DEFAULT_RECOVERY_POLICY } from '../../lib/recovery/policy.ts';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { PROJECT_DIR } from '../harness/python-venv.ts';
import { PACKAGE_TIMEOUT_S, packageOnce, run, tail, type CfnResource, type CfnTemplate, type Json, functionRoleId, unzipPackage } from './package-once.ts';

/** The recovery function's zip may hold its bundle and source map, nothing else. */
const RECOVERY_ZIP_FILES = ['functions/backtest-recovery.mjs', 'functions/backtest-recovery.mjs.map'];
/** Its zip stays far from the ~32 MB of the DuckDB functions. */
const RECOVERY_ZIP_MAX_BYTES = 5 * 2 ** 20;
/** Resource '*' is allowed only for these actions, each for the reason serverless.yml gives. */
const WILDCARD_RESOURCE_ACTIONS = ['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken', 'ecs:ListTasks'];

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Json;
}
interface Grant {
  sid?: string;
  effect: string;
  action: string;
  resource: unknown;
  condition?: Json;
}

let outDir: string;
let template: CfnTemplate;
let recoveryDir: string;
const scratchDirs: string[] = [];

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const refOf = (id: string) => ({ Ref: id });

function resourcesOfType(type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

/** The one resource of `type` that `match` accepts, as [logical id, resource]. */
function theOne(type: string, what: string, match: (resource: CfnResource) => boolean = () => true): [string, CfnResource] {
  return only(resourcesOfType(type).filter(([, resource]) => match(resource)), what);
}

function lambdaFunction(handler: string): [string, CfnResource] {
  return theOne('AWS::Lambda::Function', `the function with handler ${handler}`, (f) => f.Properties.Handler === handler);
}

function environmentOf(fn: CfnResource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The logical id a `Fn::GetAtt [id, 'Arn']` points at. */
function getAttId(value: unknown): string {
  const id = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
  expect(id, `a Fn::GetAtt: ${JSON.stringify(value)}`).toBeDefined();
  return id!;
}

/** Every Allow/Deny of a role's inline policies, one entry per action × resource. */
function grantsOf(roleId: string): Grant[] {
  const role = template.Resources[roleId];
  expect(role?.Type, `${roleId} is a role`).toBe('AWS::IAM::Role');
  expect(role!.Properties.ManagedPolicyArns, `${roleId}: no managed policies`).toBeUndefined();
  const statements = (role!.Properties.Policies as Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>).flatMap((p) => p.PolicyDocument.Statement);
  return statements.flatMap((s) =>
    asArray(s.Action).flatMap((action) =>
      asArray(s.Resource).map((resource) => ({ sid: s.Sid, effect: s.Effect, action, resource, ...(s.Condition ? { condition: s.Condition } : {}) })),
    ),
  );
}

/** Who may assume a role (the service principals of its trust policy). */
function trustedServices(roleId: string): string[] {
  const trust = template.Resources[roleId]!.Properties.AssumeRolePolicyDocument as { Statement: PolicyStatement[] };
  return trust.Statement.flatMap((s) => asArray((s.Principal as { Service: string | string[] }).Service));
}

function cluster(): [string, CfnResource] {
  return theOne('AWS::ECS::Cluster', 'one ECS cluster');
}

function taskDefinition(): [string, CfnResource] {
  return theOne('AWS::ECS::TaskDefinition', 'one task definition');
}

interface ContainerDefinition {
  Name: string;
  Image: unknown;
  Command: string[];
  Environment: Array<{ Name: string; Value: unknown }>;
  StopTimeout: number;
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
}

function backtestContainer(): ContainerDefinition {
  const containers = taskDefinition()[1].Properties.ContainerDefinitions as ContainerDefinition[];
  return only(containers, 'one container');
}

function taskEnvironment(): Record<string, unknown> {
  return Object.fromEntries(backtestContainer().Environment.map((e) => [e.Name, e.Value]));
}

function recoveryFunction(): [string, CfnResource] {
  return lambdaFunction('functions/backtest-recovery.handler');
}

interface EcsTarget {
  Id: string;
  Arn: unknown;
  RoleArn: unknown;
  EcsParameters: {
    TaskDefinitionArn: unknown;
    TaskCount: number;
    LaunchType: string;
    NetworkConfiguration: { AwsVpcConfiguration: { Subnets: unknown; SecurityGroups: unknown; AssignPublicIp: string } };
  };
}

function scheduleRule(): [string, CfnResource] {
  return theOne('AWS::Events::Rule', 'one scheduled rule starting an ECS task', (r) =>
    asArray((r.Properties.Targets ?? []) as Json[]).some((t) => t.EcsParameters !== undefined),
  );
}

function scheduleTarget(): EcsTarget {
  return only(scheduleRule()[1].Properties.Targets as EcsTarget[], 'one target');
}

/** The rules whose event pattern has `source`, as [id, rule]. */
function rulesFrom(source: string): Array<[string, CfnResource]> {
  return resourcesOfType('AWS::Events::Rule').filter(([, r]) => asArray(((r.Properties.EventPattern ?? {}) as { source?: string[] }).source ?? []).includes(source));
}

function heartbeatAlarm(): [string, CfnResource] {
  return theOne('AWS::CloudWatch::Alarm', 'one backtest heartbeat alarm', (a) => String(a.Properties.AlarmName).includes(RECOVERY_DEFAULTS.alarmNameContains));
}

function alertsTopic(): [string, CfnResource] {
  return theOne('AWS::SNS::Topic', 'one SNS topic');
}

/** The rule targets the recovery function, and EventBridge may invoke it for that rule. */
function expectInvokesRecovery(ruleId: string): void {
  const [fnId] = recoveryFunction();
  const targets = template.Resources[ruleId]!.Properties.Targets as Array<{ Arn: unknown }>;
  expect(targets.map((t) => t.Arn)).toEqual([arnOf(fnId)]);
  const permissions = resourcesOfType('AWS::Lambda::Permission').filter(([, p]) => same(p.Properties.SourceArn, arnOf(ruleId)));
  expect(only(permissions, `one Lambda permission for ${ruleId}`)[1].Properties).toEqual({
    FunctionName: arnOf(fnId),
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    SourceArn: arnOf(ruleId),
  });
}

/** Fargate's CPU/memory pairs (MiB): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html */
function fargateAccepts(cpu: number, memoryMiB: number): boolean {
  const gib = memoryMiB / 1024;
  const between = (lo: number, hi: number, step: number) => gib >= lo && gib <= hi && Number.isInteger((gib - lo) / step);
  switch (cpu) {
    case 256: return [0.5, 1, 2].includes(gib);
    case 512: return between(1, 4, 1);
    case 1024: return between(2, 8, 1);
    case 2048: return between(4, 16, 1);
    case 4096: return between(8, 30, 1);
    case 8192: return between(16, 60, 4);
    case 16384: return between(32, 120, 8);
    default: return false;
  }
}

beforeAll(async () => {
  ({ outDir, template } = await packageOnce());
  recoveryDir = scratchDir('candlelake-unzipped-recovery-');
  await unzipPackage(path.join(outDir, 'backtestRecovery.zip'), recoveryDir);
}, (2 * PACKAGE_TIMEOUT_S + 60) * 1000);

afterAll(() => {
  for (const dir of [outDir, ...scratchDirs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the schedule', () => {
  it('starts the task at the awsCron of lib/schedule/jobs.json, enabled on dev', () => {
    const [, rule] = scheduleRule();
    expect(rule.Properties.ScheduleExpression).toBe(jobs.backtest.awsCron);

    // State follows the scheduleEnabled param (true on dev) through custom.ruleStates.
    expect(rule.Properties.State).toBe('ENABLED');
  });

  it('runs the task definition on Fargate in the cluster, in awsvpc mode, backtestShards copies', () => {
    const [clusterId] = cluster();
    const [taskId, task] = taskDefinition();
    const target = scheduleTarget();

    expect(target.Arn).toEqual(arnOf(clusterId));
    expect(target.EcsParameters).toMatchObject({ TaskDefinitionArn: refOf(taskId), LaunchType: 'FARGATE', TaskCount: 1 });
    expect(task.Properties).toMatchObject({ RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc' });
    const network = target.EcsParameters.NetworkConfiguration.AwsVpcConfiguration;
    expect(network.Subnets).toEqual({ 'Fn::Split': [',', expect.stringMatching(/^subnet-/)] });
    expect(network.SecurityGroups).toEqual({ 'Fn::Split': [',', expect.stringMatching(/^sg-/)] });
    expect(['ENABLED', 'DISABLED']).toContain(network.AssignPublicIp);
  });

  it('lets EventBridge only RunTask that task definition in that cluster and pass exactly the two task roles', () => {
    const [clusterId] = cluster();
    const [taskId, task] = taskDefinition();
    const eventsRoleId = getAttId(scheduleTarget().RoleArn);
    const grants = grantsOf(eventsRoleId);

    expect(trustedServices(eventsRoleId)).toEqual(['events.amazonaws.com']);
    expect(grants.every((g) => g.effect === 'Allow')).toBe(true);
    expect(grants.filter((g) => g.action === 'ecs:RunTask')).toEqual([
      expect.objectContaining({ resource: refOf(taskId), condition: { ArnEquals: { 'ecs:cluster': arnOf(clusterId) } } }),
    ]);
    const passed = grants.filter((g) => g.action === 'iam:PassRole');
    expect(passed.map((g) => g.resource)).toEqual(expect.arrayContaining([task.Properties.TaskRoleArn, task.Properties.ExecutionRoleArn]));
    expect(passed).toHaveLength(2);
    for (const grant of passed) expect(grant.condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(grants.filter((g) => g.action !== 'ecs:RunTask' && g.action !== 'iam:PassRole')).toEqual([]);
  });

  it('alarms when EventBridge cannot start the task at all', () => {
    const [, rule] = scheduleRule();
    const [topicId] = alertsTopic();
    const [, alarm] = theOne('AWS::CloudWatch::Alarm', 'one alarm on the schedule rule', (a) => a.Properties.MetricName === 'FailedInvocations');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Events',
      Dimensions: [{ Name: 'RuleName', Value: rule.Properties.Name }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [refOf(topicId)],
    });
  });
});

describe('the task definition', () => {
  it('sizes the task from the params (2048 CPU units, 4096 MiB on dev), a pair Fargate accepts, on x86_64', () => {
    const [, task] = taskDefinition();
    const cpu = Number(task.Properties.Cpu);
    const memory = Number(task.Properties.Memory);

    expect([cpu, memory]).toEqual([2048, 4096]);
    expect(fargateAccepts(cpu, memory), `${cpu} CPU / ${memory} MiB`).toBe(true);
    // The Dockerfile's DuckDB binding is linux-x64.
    expect(task.Properties.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
  });

  it('runs `node dist/task.mjs` in container backtest, with the lake, CloudWatch metrics in the stage namespace and a 30 s stop timeout', () => {
    const [, update] = lambdaFunction('functions/update.handler');
    const container = backtestContainer();

    expect(container.Name).toBe('backtest');
    expect(container.Command).toEqual(['node', 'dist/task.mjs']);
    expect(container.StopTimeout).toBe(30);
    expect(taskEnvironment()).toMatchObject({
      CANDLELAKE_LAKE: environmentOf(update).CANDLELAKE_LAKE,
      CANDLELAKE_METRICS: 'cloudwatch',
      CANDLELAKE_METRICS_NAMESPACE: 'candlelake-dev',
    });
    expect(taskEnvironment().CANDLELAKE_CACHE_DIR, 'the image runs as a non-root user').toMatch(/^\/tmp\//);
  });

  it("takes its image from the one ECR repository its execution role may pull from, the Dockerfile's CMD matching the command", () => {
    const container = backtestContainer();
    const image = (container.Image as { 'Fn::Sub': string })['Fn::Sub'];
    const repository = /^\$\{AWS::AccountId\}\.dkr\.ecr\.\$\{AWS::Region\}\.amazonaws\.com\/([a-z0-9._/-]+)[:@]/.exec(image)?.[1];
    expect(repository, image).toBeDefined();

    const executionRoleId = getAttId(taskDefinition()[1].Properties.ExecutionRoleArn);
    const pulls = grantsOf(executionRoleId).filter((g) => g.action.startsWith('ecr:') && g.action !== 'ecr:GetAuthorizationToken');
    expect(pulls.map((g) => g.action)).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
    for (const grant of pulls) {
      expect(grant.resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:\${AWS::Region}:\${AWS::AccountId}:repository/${repository}` });
    }

    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(path.join(PROJECT_DIR, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(container.Command);
  });

  it('logs through awslogs to its own log group, kept as long as the functions\' logs', () => {
    const container = backtestContainer();
    const [, update] = lambdaFunction('functions/update.handler');
    const logGroupId = (container.LogConfiguration.Options['awslogs-group'] as { Ref: string }).Ref;
    const logGroup = template.Resources[logGroupId];
    const [, updateLogGroup] = theOne('AWS::Logs::LogGroup', "the update function's log group", (g) => g.Properties.LogGroupName === `/aws/lambda/${update.Properties.FunctionName as string}`);

    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.LogConfiguration.Options).toMatchObject({ 'awslogs-region': { Ref: 'AWS::Region' }, 'awslogs-stream-prefix': expect.any(String) });
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup!.Properties.RetentionInDays).toBe(updateLogGroup.Properties.RetentionInDays);

    const executionRoleId = getAttId(taskDefinition()[1].Properties.ExecutionRoleArn);
    const logGrants = grantsOf(executionRoleId).filter((g) => g.action.startsWith('logs:'));
    expect(logGrants.map((g) => g.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const grant of logGrants) expect(grant.resource).toEqual(arnOf(logGroupId));
    expect(grantsOf(executionRoleId).filter((g) => !/^(ecr|logs):/.test(g.action))).toEqual([]);
  });

  it("gives the task's code the lake's objects, its listing and its metrics namespace, nothing else", () => {
    const taskRoleId = getAttId(taskDefinition()[1].Properties.TaskRoleArn);
    const grants = grantsOf(taskRoleId);

    expect(trustedServices(taskRoleId)).toEqual(['ecs-tasks.amazonaws.com']);
    expect(grants.filter((g) => g.action.startsWith('s3:')).map((g) => `${g.action} ${JSON.stringify(g.resource)}`).sort()).toEqual([
      `s3:DeleteObject ${JSON.stringify({ 'Fn::Sub': '${LakeBucket.Arn}/*' })}`,
      `s3:GetObject ${JSON.stringify({ 'Fn::Sub': '${LakeBucket.Arn}/*' })}`,
      `s3:ListBucket ${JSON.stringify(arnOf('LakeBucket'))}`,
      `s3:PutObject ${JSON.stringify({ 'Fn::Sub': '${LakeBucket.Arn}/*' })}`,
    ]);
    expect(grants.filter((g) => g.action.startsWith('cloudwatch:'))).toEqual([
      expect.objectContaining({
        action: 'cloudwatch:PutMetricData',
        resource: '*',
        condition: { StringEquals: { 'cloudwatch:namespace': taskEnvironment().CANDLELAKE_METRICS_NAMESPACE } },
      }),
    ]);
    expect(grants.filter((g) => !/^(s3|cloudwatch):/.test(g.action))).toEqual([]);
  });
});

describe('the crash path', () => {
  it('sends every STOPPED task of the family in the cluster to the recovery function', () => {
    const [clusterId] = cluster();
    const [, task] = taskDefinition();
    const [ruleId, rule] = only(rulesFrom('aws.ecs'), 'one rule on ECS events');

    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [arnOf(clusterId)],
        lastStatus: ['STOPPED'],
        group: [`family:${task.Properties.Family as string}`],
      },
    });
    expectInvokesRecovery(ruleId);
  });
});

describe('the hang path', () => {
  /** What lib/backtest-task/heartbeat.ts publishes for one beat. */
  async function publishedHeartbeat(): Promise<MetricPoint> {
    const points: MetricPoint[] = [];
    const store = { put: async () => undefined } as unknown as ObjectStore;
    await beat(store, { publish: async (p) => void points.push(...p) }, { runId: 'r', runDate: '2024-06-10', state: 'running', atMs: 0, unitsDone: 0, unitsTotal: 1, taskId: 't', shard: '0/1' });
    return only(points.filter((p) => p.name.includes('Heartbeat')), 'one heartbeat metric');
  }

  it('alarms when a task runs in the cluster but sent no heartbeat for hangAfterMs (2 × 60 s), notifying the topic', async () => {
    const [clusterId, clusterResource] = cluster();
    const [topicId] = alertsTopic();
    const [, alarm] = heartbeatAlarm();
    const heartbeat = await publishedHeartbeat();
    const metrics = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string; ReturnData: boolean; MetricStat?: { Metric: Json; Period: number; Stat: string } }>;
    const byId = Object.fromEntries(metrics.map((m) => [m.Id, m]));
    const [result] = metrics.filter((m) => m.ReturnData);

    // The one returned series is metric math over the task count and the heartbeats.
    expect(metrics.filter((m) => m.ReturnData)).toHaveLength(1);
    expect(result!.Expression).toBe('IF(FILL(running, 0) > 0 AND FILL(heartbeat, 0) == 0, 1, 0)');
    expect(byId.running!.MetricStat).toEqual({
      Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'TaskCount', Dimensions: [{ Name: 'ClusterName', Value: refOf(clusterId) }] },
      Period: 60,
      Stat: 'Maximum',
    });
    expect(byId.heartbeat!.MetricStat).toEqual({
      Metric: {
        Namespace: taskEnvironment().CANDLELAKE_METRICS_NAMESPACE,
        MetricName: heartbeat.name,
        Dimensions: Object.entries(heartbeat.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: 'Sum',
    });
    // TaskCount exists only with Container Insights on.
    expect(clusterResource.Properties.ClusterSettings).toContainEqual({ Name: 'containerInsights', Value: 'enabled' });
    expect(alarm.Properties).toMatchObject({
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [refOf(topicId)],
    });
    expect(60 * (alarm.Properties.EvaluationPeriods as number) * 1000).toBe(DEFAULT_RECOVERY_POLICY.hangAfterMs);
  });

  it('sends the alarm going to ALARM to the recovery function', () => {
    const [alarmId] = heartbeatAlarm();
    const [ruleId, rule] = only(rulesFrom('aws.cloudwatch'), 'one rule on CloudWatch alarm events');

    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      // Spelled out from the alarm's name (moto cannot resolve a GetAtt of an alarm); DependsOn keeps the order.
      resources: [{ 'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${String(template.Resources[alarmId]!.Properties.AlarmName)}` }],
      detail: { state: { value: ['ALARM'] } },
    });
    expect([rule.DependsOn].flat()).toEqual([alarmId]);
    expectInvokesRecovery(ruleId);
  });
});

describe('alerts', () => {
  it('has one topic, encrypted with a key CloudWatch may use (alarms cannot publish under alias/aws/sns)', () => {
    const [, topic] = alertsTopic();
    const keyId = (topic.Properties.KmsMasterKeyId as { Ref: string }).Ref;
    const key = template.Resources[keyId];
    const statements = (key?.Properties.KeyPolicy as { Statement: PolicyStatement[] }).Statement;

    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key!.Properties.EnableKeyRotation).toBe(true);
    const cloudwatch = only(statements.filter((s) => same(s.Principal, { Service: 'cloudwatch.amazonaws.com' })), 'one statement for CloudWatch');
    expect(asArray(cloudwatch.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    // Besides CloudWatch, only the account itself (which then grants use through IAM).
    expect(statements.filter((s) => s !== cloudwatch).map((s) => s.Principal)).toEqual([
      { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
    ]);
  });

  it('is where the validate alarm and the heartbeat alarm send their ALARM', () => {
    const [topicId] = alertsTopic();
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');
    const validate = only(alarms.filter(([, a]) => a.Properties.MetricName === 'ValidateStatus'), 'the validate alarm')[1];

    expect(validate.Properties.AlarmActions).toEqual([refOf(topicId)]);
    expect(heartbeatAlarm()[1].Properties.AlarmActions).toEqual([refOf(topicId)]);
  });
});

describe('the recovery function', () => {
  it('is configured with the cluster, task definition, network and container the schedule uses, and the topic', () => {
    const [clusterId] = cluster();
    const [taskId] = taskDefinition();
    const [topicId] = alertsTopic();
    const [, fn] = recoveryFunction();
    const [, update] = lambdaFunction('functions/update.handler');
    const network = scheduleTarget().EcsParameters.NetworkConfiguration.AwsVpcConfiguration;

    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 120, MemorySize: 512, ReservedConcurrentExecutions: 1 });
    expect(fn.Properties.Layers).toBeUndefined();
    expect(environmentOf(fn)).toMatchObject({
      CANDLELAKE_LAKE: environmentOf(update).CANDLELAKE_LAKE,
      CANDLELAKE_ECS_CLUSTER: arnOf(clusterId),
      CANDLELAKE_ECS_TASK_DEFINITION: refOf(taskId),
      // The same comma lists the schedule splits: a restart runs where the scheduled run ran.
      CANDLELAKE_ECS_SUBNETS: (network.Subnets as { 'Fn::Split': [string, string] })['Fn::Split'][1],
      CANDLELAKE_ECS_SECURITY_GROUPS: (network.SecurityGroups as { 'Fn::Split': [string, string] })['Fn::Split'][1],
      CANDLELAKE_ECS_ASSIGN_PUBLIC_IP: network.AssignPublicIp,
      CANDLELAKE_ECS_CONTAINER: backtestContainer().Name,
      CANDLELAKE_ALERTS_TOPIC_ARN: refOf(topicId),
    });
  });

  it('has a role of its own: restart, stop, list this task; pass its two roles; the heartbeat and history keys; the topic; its logs', () => {
    const [clusterId] = cluster();
    const [taskId, task] = taskDefinition();
    const [topicId, topic] = alertsTopic();
    const [, fn] = recoveryFunction();
    const roleId = functionRoleId(fn.Properties.Role);
    const grants = grantsOf(roleId);
    const byAction = (action: string) => grants.filter((g) => g.action === action);
    const onCluster = { ArnEquals: { 'ecs:cluster': arnOf(clusterId) } };
    const [logGroupId] = theOne('AWS::Logs::LogGroup', "the recovery function's log group", (g) => g.Properties.LogGroupName === `/aws/lambda/${fn.Properties.FunctionName as string}`);

    expect(trustedServices(roleId)).toEqual(['lambda.amazonaws.com']);
    expect(grants.every((g) => g.effect === 'Allow')).toBe(true);
    expect(byAction('ecs:RunTask')).toEqual([expect.objectContaining({ resource: refOf(taskId), condition: onCluster })]);
    for (const action of ['ecs:StopTask', 'ecs:DescribeTasks']) {
      expect(byAction(action).map((g) => g.resource)).toEqual([
        { 'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/\${${clusterId}}/*` },
      ]);
    }
    expect(byAction('ecs:ListTasks')).toEqual([expect.objectContaining({ resource: '*', condition: onCluster })]);
    expect(byAction('iam:PassRole').map((g) => g.resource)).toEqual(expect.arrayContaining([task.Properties.TaskRoleArn, task.Properties.ExecutionRoleArn]));
    expect(byAction('iam:PassRole')).toHaveLength(2);

    // Exactly the keys lib/ reads and writes.
    const historyDir = path.posix.dirname(RECOVERY_HISTORY_KEY);
    expect(byAction('s3:GetObject').map((g) => g.resource)).toEqual(
      expect.arrayContaining([{ 'Fn::Sub': `\${LakeBucket.Arn}/${HEARTBEAT_KEY}` }, { 'Fn::Sub': `\${LakeBucket.Arn}/${historyDir}/*` }]),
    );
    expect(byAction('s3:GetObject')).toHaveLength(2);
    expect(byAction('s3:PutObject').map((g) => g.resource)).toEqual([{ 'Fn::Sub': `\${LakeBucket.Arn}/${historyDir}/*` }]);
    expect(byAction('s3:ListBucket').map((g) => g.resource)).toEqual([arnOf('LakeBucket')]);

    expect(byAction('sns:Publish').map((g) => g.resource)).toEqual([refOf(topicId)]);
    const keyArn = arnOf((topic.Properties.KmsMasterKeyId as { Ref: string }).Ref);
    expect(grants.filter((g) => g.action.startsWith('kms:')).map((g) => [g.action, g.resource])).toEqual([
      ['kms:Decrypt', keyArn],
      ['kms:GenerateDataKey', keyArn],
    ]);
    expect(grants.filter((g) => g.action.startsWith('logs:')).map((g) => [g.action, g.resource])).toEqual([
      ['logs:CreateLogStream', arnOf(logGroupId)],
      ['logs:PutLogEvents', arnOf(logGroupId)],
    ]);
    expect(fn.DependsOn).toContain(logGroupId);
    expect(grants.filter((g) => !/^(ecs|iam|s3|sns|kms|logs):/.test(g.action))).toEqual([]);
  });

  it('ships a small zip: the bundle alone, no DuckDB, no node_modules, no bare imports left', () => {
    const files = readdirSync(recoveryDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(recoveryDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    const bundle = readFileSync(path.join(recoveryDir, 'functions', 'backtest-recovery.mjs'), 'utf8');
    const builtins = new Set(builtinModules);
    const bareImports = [...bundle.matchAll(/^import\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)]
      .map((m) => (m[1] ?? m[2])!)
      .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s));

    expect(files.sort()).toEqual(RECOVERY_ZIP_FILES);
    expect(files.filter((f) => /libduckdb|duckdb\.node/.test(f))).toEqual([]);
    expect(statSync(path.join(outDir, 'backtestRecovery.zip')).size).toBeLessThan(RECOVERY_ZIP_MAX_BYTES);
    expect(bareImports, 'a bare import would fail at cold start: the zip has no node_modules').toEqual([]);
  });
});

describe('IAM across the template', () => {
  /** Every statement of every policy in the template: roles, managed policies, resource policies. */
  function allStatements(): Array<{ where: string; statement: PolicyStatement; identity: boolean }> {
    const found: Array<{ where: string; statement: PolicyStatement; identity: boolean }> = [];
    for (const [id, resource] of Object.entries(template.Resources)) {
      const p = resource.Properties;
      const docs: Array<[unknown, boolean]> = [];
      if (resource.Type === 'AWS::IAM::Role') docs.push(...((p.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((x): [unknown, boolean] => [x.PolicyDocument, true]));
      if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') docs.push([p.PolicyDocument, true]);
      if (['AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy'].includes(resource.Type)) docs.push([p.PolicyDocument, false]);
      if (resource.Type === 'AWS::KMS::Key') docs.push([p.KeyPolicy, false]);
      for (const [doc, identity] of docs) {
        for (const statement of (doc as { Statement: PolicyStatement[] }).Statement) found.push({ where: id, statement, identity });
      }
    }
    return found;
  }

  it("has no statement with Action '*', and no managed policies on any role", () => {
    const statements = allStatements();
    expect(statements.length).toBeGreaterThan(20);
    expect(statements.filter(({ statement }) => asArray(statement.Action).includes('*')).map(({ where }) => where)).toEqual([]);
    expect(resourcesOfType('AWS::IAM::Role').filter(([, r]) => r.Properties.ManagedPolicyArns !== undefined).map(([id]) => id)).toEqual([]);
  });

  it("grants Resource '*' only where IAM accepts nothing else, each narrowed by its condition", () => {
    const [clusterId] = cluster();
    const wildcard = allStatements()
      .filter(({ identity }) => identity)
      .flatMap(({ where, statement }) =>
        asArray(statement.Resource).some((r) => r === '*') ? asArray(statement.Action).map((action) => ({ where, action, condition: statement.Condition })) : [],
      );

    expect([...new Set(wildcard.map((w) => w.action))].sort()).toEqual(WILDCARD_RESOURCE_ACTIONS);
    for (const grant of wildcard) {
      if (grant.action === 'cloudwatch:PutMetricData') expect(grant.condition, grant.where).toEqual({ StringEquals: { 'cloudwatch:namespace': 'candlelake-dev' } });
      if (grant.action === 'ecs:ListTasks') expect(grant.condition, grant.where).toEqual({ ArnEquals: { 'ecs:cluster': arnOf(clusterId) } });
      // ecr:GetAuthorizationToken: a registry login; what it may pull is scoped separately (above).
    }
  });
});

describe('the Dockerfile, replayed without Docker', () => {
  interface Instruction {
    op: string;
    args: string;
  }

  /** The Dockerfile's stages, each a list of instructions (continuations joined, comments dropped). */
  function dockerStages(text: string): Instruction[][] {
    const logical: string[] = [];
    let pending = '';
    for (const line of text.split('\n')) {
      if (/^\s*#/.test(line) || (pending === '' && line.trim() === '')) continue;
      if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
      else {
        logical.push(pending + line);
        pending = '';
      }
    }
    const stages: Instruction[][] = [];
    for (const line of logical) {
      const [, op, args] = /^\s*(\S+)\s+(.*)$/s.exec(line) ?? [];
      if (!op) continue;
      if (op.toUpperCase() === 'FROM') stages.push([]);
      stages.at(-1)?.push({ op: op.toUpperCase(), args: args!.trim() });
    }
    return stages;
  }

  let runtimeDir: string;
  let runtimeEnv: Record<string, string>;
  let command: string[];

  beforeAll(async () => {
    const stages = dockerStages(readFileSync(path.join(PROJECT_DIR, 'Dockerfile'), 'utf8'));
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [Instruction[], Instruction[]];
    const buildWorkdir = only(build.filter((i) => i.op === 'WORKDIR'), 'one build WORKDIR').args;

    // Build stage: COPY = a link to the checkout's file, `npm ci` = the checkout's node_modules.
    const buildDir = scratchDir('candlelake-docker-build-');
    symlinkSync(path.join(PROJECT_DIR, 'node_modules'), path.join(buildDir, 'node_modules'));
    for (const instruction of build) {
      if (instruction.op === 'COPY') {
        const parts = instruction.args.split(/\s+/);
        const dest = parts.pop()!;
        for (const source of parts) {
          const target = dest.endsWith('/') ? path.join(buildDir, dest, path.basename(source)) : path.join(buildDir, dest);
          mkdirSync(path.dirname(target), { recursive: true });
          symlinkSync(path.join(PROJECT_DIR, source), target);
        }
      } else if (instruction.op === 'RUN' && !instruction.args.startsWith('npm ci')) {
        const result = await run('sh', ['-c', instruction.args], { cwd: buildDir, env: { PATH: process.env.PATH ?? '' } });
        if (result.code !== 0) throw new Error(`RUN ${instruction.args.slice(0, 80)}… exited ${result.code}:\n${tail(result.stderr)}`);
      }
    }

    // Runtime stage: only what its COPY --from=build lines take, in a directory with no node_modules above it.
    runtimeDir = scratchDir('candlelake-docker-runtime-');
    runtimeEnv = {};
    for (const instruction of runtime) {
      if (instruction.op === 'COPY') {
        const [, source, dest] = /^--from=build\s+(\S+)\s+(\S+)$/.exec(instruction.args) ?? [];
        expect(source, `COPY ${instruction.args}`).toBeDefined();
        cpSync(path.join(buildDir, path.posix.relative(buildWorkdir, source!)), path.join(runtimeDir, dest!), { recursive: true, dereference: true });
      }
      if (instruction.op === 'ENV') {
        for (const pair of instruction.args.split(/\s+/)) {
          const [name, ...value] = pair.split('=');
          runtimeEnv[name!] = value.join('=');
        }
      }
      if (instruction.op === 'CMD') command = JSON.parse(instruction.args) as string[];
    }
  }, 120_000);

  function ancestorsWithNodeModules(dir: string): string[] {
    const found: string[] = [];
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) if (existsSync(path.join(d, 'node_modules'))) found.push(d);
    return found;
  }

  it('runs the task from the runtime stage alone: DuckDB loads, it beats and finishes over an empty lake', async () => {
    const lake = scratchDir('candlelake-docker-lake-');
    expect(ancestorsWithNodeModules(runtimeDir), 'nothing above the runtime dir may satisfy an import').toEqual([]);

    const result = await run(process.execPath, command.slice(1), {
      cwd: runtimeDir,
      env: {
        PATH: process.env.PATH,
        ...runtimeEnv,
        HOME: runtimeDir,
        CANDLELAKE_LAKE: `file://${lake}`,
        CANDLELAKE_CACHE_DIR: scratchDir('candlelake-docker-cache-'),
        CANDLELAKE_SYMBOLS: 'BTC/USDT',
      },
    });

    expect(command[0]).toBe('node');
    expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
    expect([TASK_EXIT.done, TASK_EXIT.dataUnavailable], `exit ${result.code}\n${tail(result.stderr)}\n${tail(result.stdout, 5)}`).toContain(result.code);
    // The console logger writes to stderr; without CANDLELAKE_METRICS the metrics are log lines.
    expect(result.stderr).toContain('"metric":"BacktestHeartbeat"');
  });

  it('starts a grid worker thread from the file the bundled task falls back to', async () => {
    const bundle = readFileSync(path.join(runtimeDir, 'dist', 'task.mjs'), 'utf8');
    expect(bundle).toContain('"./grid-worker-entry.mjs"');
    const script = [
      "import { Worker } from 'node:worker_threads';",
      // execArgv: [] — a worker inherits this process's --input-type, which a worker file rejects.
      "const worker = new Worker(new URL('./dist/grid-worker-entry.mjs', `file://${process.cwd()}/`), { workerData: { series: [] }, execArgv: [] });",
      "worker.once('error', (error) => { console.error(String(error)); process.exit(1); });",
      "worker.once('message', (reply) => { console.log('REPLY ' + JSON.stringify({ taskId: reply.taskId })); process.exit(0); });",
      "worker.postMessage({ taskId: 7, seriesIndex: 0, strategy: 'sma-cross', paramSets: [] });",
    ].join('\n');

    const result = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: runtimeDir, env: { PATH: process.env.PATH } });

    expect(result.code, tail(result.stderr)).toBe(0);
    expect(result.stdout).toContain('REPLY {"taskId":7}');
  });
});
