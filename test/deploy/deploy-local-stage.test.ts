/**
 * The whole stack deployed: `serverless deploy --stage local` into the emulator the suite runs
 * (moto_server on loopback; LocalStack when AWS_ENDPOINT_URL points at it), then
 *  1. every rule, bucket, function, queue, log group, task definition, topic and the dashboard
 *     exists with the settings of the template that was deployed, and
 *  2. each job's handler — the zip that was deployed, fetched back from the deployment bucket — runs
 *     in its own Node process with the environment the deployed function has, against the deployed
 *     buckets, topic, cluster and task definition, the secrets in SSM, and the stand-ins.
 *
 * What moto cannot do, and where it is covered instead (also in docs/deploy-tested.md):
 * - Its CloudFormation skips AWS::CloudWatch::Alarm, AWS::S3::BucketPolicy, AWS::SNS::Subscription
 *   and AWS::Lambda::EventInvokeConfig (recorded in the stack, not created); it does not apply a
 *   bucket's VersioningConfiguration, PublicAccessBlockConfiguration or LifecycleConfiguration, a
 *   task definition's NetworkMode, RequiresCompatibilities, Cpu and roles, or an ECS rule target's
 *   network configuration. Those are asserted on the deployed template here and in the
 *   *-stack tests, and on the live resources against another emulator (`EXTERNAL_EMULATOR`).
 * - It never fires schedules: the handlers are invoked here with the event the rule would send.
 * - It never evaluates alarms: the recovery handler gets the EventBridge events the alarm and ECS
 *   would emit (and test/lib/recovery covers the policy).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient, ListTasksCommand, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { snsAlertMessage } from '../../lib/notify/sns-alerts.ts';
import { s3ClientForTests, useAwsEndpoint } from '../harness/aws.ts';
import { createMotoNetwork } from '../lib/recovery/moto-ecs.ts';
import { ecsStoppedEvent } from '../lib/recovery/events.ts';
import { startAlternativeMeStandIn } from '../stand-ins/alternative-me/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';
import { startFredStandIn } from '../stand-ins/fred/index.ts';
import { startTelegramStandIn } from '../stand-ins/telegram/index.ts';
import {
  deployedTemplate,
  deployLocalStage,
  describeRun,
  fetchDeployedFunction,
  invokeDeployedHandler,
  stackResources,
  STACK_NAME,
  type DeployedFunction,
  type HandlerRun,
} from './deployed-stack.ts';
import { functionRoleId, type CfnTemplate, type ProcessResult } from './package-once.ts';

// Secrets of this test only, so a leak is unambiguous: they go into SSM and nowhere else.
const TELEGRAM_TOKEN = '7000000001:DEPLOYEDstackTOKENdeployedSTACKtoken42';
const FRED_KEY = 'deployedstackfredkey0123456789ab';
const CHAT_ID = '-1001234567890';
/** Functions by their name in serverless.yml, and the handler file each runs. */
const FUNCTIONS = {
  update: 'update', validate: 'validate', sentiment: 'sentiment', backup: 'backup', digest: 'digest',
  status: 'status', notifier: 'notifier', backtestRecovery: 'backtest-recovery',
} as const;
type FunctionKey = keyof typeof FUNCTIONS;
/** Resource types moto's CloudFormation (5.2) does not create; asserted on the template elsewhere. */
const MOTO_SKIPPED_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::S3::BucketPolicy', 'AWS::SNS::Subscription', 'AWS::Lambda::EventInvokeConfig'];
const SCHEDULED_JOBS = ['update', 'validate', 'sentiment', 'backup', 'digest'] as const;

/** True when the suite runs against an emulator it did not start (LocalStack): moto's gaps do not apply. */
const EXTERNAL_EMULATOR = inject('awsEmulator') === 'external';
/** ECS is not in LocalStack's free image (its CloudFormation mocks the cluster and task definition); a licence brings it. */
const ECS_MISSING = EXTERNAL_EMULATOR && !process.env.LOCALSTACK_AUTH_TOKEN;

let endpoint: string;
let deploy: ProcessResult;
let template: CfnTemplate;
let resources: Map<string, StackResourceSummary>;
let network: { subnetId: string; securityGroupId: string };
let s3: S3Client;
let binance: BinanceStandIn;
let telegram: Awaited<ReturnType<typeof startTelegramStandIn>>;
let fearGreed: Awaited<ReturnType<typeof startAlternativeMeStandIn>>;
let fred: Awaited<ReturnType<typeof startFredStandIn>>;
const deployed = {} as Record<FunctionKey, DeployedFunction>;
/** Every process output of this file (the deploy and each handler), for the secrets check. */
const outputs: Array<{ label: string; text: string }> = [];
const cleanup: string[] = [];

const clients = () => ({
  cloudFormation: new CloudFormationClient({}),
  lambda: new LambdaClient({}),
  events: new EventBridgeClient({}),
  ecs: new ECSClient({}),
  sns: new SNSClient({}),
  sqs: new SQSClient({}),
  logs: new CloudWatchLogsClient({}),
  cloudWatch: new CloudWatchClient({}),
});

/** Physical id of a resource of the stack. */
function physical(logicalId: string): string {
  const id = resources.get(logicalId)?.PhysicalResourceId;
  if (!id) throw new Error(`${logicalId} is not in stack ${STACK_NAME} (has: ${[...resources.keys()].join(', ')})`);
  return id;
}

function templateResource(logicalId: string): { Type: string; Properties: Record<string, unknown> } {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`${logicalId} is not in the deployed template`);
  return resource;
}

const functionLogicalId = (key: FunctionKey) => `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`;
const functionName = (key: FunctionKey) => `candlelake-local-${key}`;

async function invoke(key: FunctionKey, event: unknown, overrides?: Record<string, string>): Promise<HandlerRun> {
  const run = await invokeDeployedHandler(endpoint, deployed[key], FUNCTIONS[key], event, overrides);
  outputs.push({ label: key, text: run.process.stdout + run.process.stderr });
  return run;
}

const scheduledEvent = () => ({
  version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012',
  time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: {},
});

beforeAll(async () => {
  endpoint = useAwsEndpoint();
  s3 = s3ClientForTests();
  [binance, telegram, fearGreed, fred] = await Promise.all([
    startBinanceStandIn(),
    startTelegramStandIn({ token: TELEGRAM_TOKEN }),
    startAlternativeMeStandIn(),
    startFredStandIn({ apiKey: FRED_KEY }),
  ]);
  // The task runs in awsvpc mode: RunTask needs a subnet and security group that exist.
  network = await createMotoNetwork(endpoint);
  // The secrets, put by hand on AWS (RUNBOOK): SecureString at the names the stage expects.
  const ssm = new SSMClient({});
  await ssm.send(new PutParameterCommand({ Name: '/candlelake/local/telegram-bot-token', Value: TELEGRAM_TOKEN, Type: 'SecureString', Overwrite: true }));
  await ssm.send(new PutParameterCommand({ Name: '/candlelake/local/fred-api-key', Value: FRED_KEY, Type: 'SecureString', Overwrite: true }));

  deploy = await deployLocalStage(endpoint, {
    binanceUrl: binance.url,
    telegramApiUrl: telegram.url,
    telegramChatId: CHAT_ID,
    fearGreedUrl: fearGreed.url,
    fredUrl: fred.url,
    symbols: 'BTC/USDT,ETH/USDT',
    timeframes: '1d',
    vpcSubnets: network.subnetId,
    vpcSecurityGroups: network.securityGroupId,
    alarmDlqThreshold: '2',
  });
  outputs.push({ label: 'deploy', text: deploy.stdout + deploy.stderr });
  if (deploy.code !== 0) throw new Error(describeRun('serverless deploy --stage local', deploy));

  const { cloudFormation, lambda } = clients();
  resources = await stackResources(cloudFormation);
  const deploymentBucket = physical('ServerlessDeploymentBucket');
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: deploymentBucket, Prefix: 'serverless/candlelake/local/' }));
  const templateKey = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('/compiled-cloudformation-template.json')).sort().at(-1);
  if (!templateKey) throw new Error(`no compiled template in ${deploymentBucket}`);
  template = await deployedTemplate(s3, deploymentBucket, templateKey);
  for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
    deployed[key] = await fetchDeployedFunction({ s3, lambda }, deploymentBucket, template, functionLogicalId(key), functionName(key));
    cleanup.push(path.dirname(deployed[key].dir));
  }
}, 600_000);

afterAll(async () => {
  await Promise.all([binance?.close(), telegram?.close(), fearGreed?.close(), fred?.close()]);
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('serverless deploy --stage local', () => {
  it('creates the stack with every resource of the template', async () => {
    const { cloudFormation } = clients();
    const [stack] = (await cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks ?? [];
    expect(stack?.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
    expect(deploy.stdout + deploy.stderr).toContain(`Service deployed to stack ${STACK_NAME}`);
    // moto records a resource of a type its CloudFormation skips without its logical id.
    // BackupReplicationRole exists only with a replica bucket (condition BackupReplicated), not given here.
    const expected = Object.entries(template.Resources)
      .filter(([, r]) => (EXTERNAL_EMULATOR || !MOTO_SKIPPED_TYPES.includes(r.Type)) && r.Condition !== 'BackupReplicated')
      .map(([id]) => id);
    expect([...resources.keys()].filter((id) => id !== '').sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(60);
  });

  it('schedules each job at its awsCron from lib/schedule/jobs.json, disabled on local, targeting its own function', async () => {
    const { events, lambda } = clients();
    for (const job of SCHEDULED_JOBS) {
      const ruleId = `${job[0]!.toUpperCase()}${job.slice(1)}EventsRuleSchedule1`;
      const rule = await events.send(new DescribeRuleCommand({ Name: physical(ruleId) }));
      expect(rule.ScheduleExpression, job).toBe(jobs[job].awsCron);
      expect(rule.State, job).toBe('DISABLED'); // scheduleEnabled: false on local
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: physical(ruleId) }))).Targets ?? [];
      const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName(job) }));
      expect(targets.map((t) => t.Arn), job).toEqual([fn.FunctionArn]);
    }
  });

  it.skipIf(ECS_MISSING)('starts the backtest task on Fargate at 23:30 in the given subnet, and routes task stops and the heartbeat alarm to recovery', async () => {
    const { events, lambda } = clients();
    const schedule = await events.send(new DescribeRuleCommand({ Name: physical('BacktestScheduleRule') }));
    expect(schedule.ScheduleExpression).toBe(jobs.backtest.awsCron);
    const [target] = (await events.send(new ListTargetsByRuleCommand({ Rule: physical('BacktestScheduleRule') }))).Targets ?? [];
    expect(target?.Arn).toMatch(new RegExp(`cluster/${physical('BacktestCluster').split('/').pop()}$`));
    expect(target?.EcsParameters).toMatchObject({ TaskDefinitionArn: physical('BacktestTaskDefinition'), LaunchType: 'FARGATE', TaskCount: 1 });
    // moto's CloudFormation drops the target's awsvpcConfiguration (it stores `{}`): checked on the template, and here elsewhere.
    const templateTarget = (templateResource('BacktestScheduleRule').Properties['Targets'] as Array<{ EcsParameters: { NetworkConfiguration: unknown } }>)[0]!;
    expect(templateTarget.EcsParameters.NetworkConfiguration).toEqual({
      AwsVpcConfiguration: { Subnets: { 'Fn::Split': [',', network.subnetId] }, SecurityGroups: { 'Fn::Split': [',', network.securityGroupId] }, AssignPublicIp: 'DISABLED' },
    });
    if (EXTERNAL_EMULATOR) {
      expect(target?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration).toMatchObject({ Subnets: [network.subnetId], SecurityGroups: [network.securityGroupId] });
    }

    const recovery = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName('backtestRecovery') }));
    for (const ruleId of ['BacktestTaskStateRule', 'BacktestHeartbeatAlarmRule']) {
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: physical(ruleId) }))).Targets ?? [];
      expect(targets.map((t) => t.Arn), ruleId).toEqual([recovery.FunctionArn]);
    }
    const hung = await events.send(new DescribeRuleCommand({ Name: physical('BacktestHeartbeatAlarmRule') }));
    expect(JSON.parse(hung.EventPattern!)).toMatchObject({
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: [expect.stringMatching(/:alarm:candlelake-local-backtest-heartbeat$/)],
    });
  });

  it('creates the lake and backup buckets, encrypted; versioned and private where the emulator applies it', async () => {
    for (const [logicalId, name] of [['LakeBucket', 'candlelake-lake-local'], ['BackupBucket', 'candlelake-backup-local-us-east-1']] as const) {
      expect(physical(logicalId)).toBe(name);
      await s3.send(new HeadBucketCommand({ Bucket: name }));
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
      expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
      const properties = templateResource(logicalId).Properties;
      expect(properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
      expect(properties['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      if (EXTERNAL_EMULATOR) {
        expect((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status).toBe('Enabled');
        expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration?.BlockPublicPolicy).toBe(true);
      }
    }
  });

  it('deploys every function on nodejs22.x with the template\'s memory and timeout, its own role, and no secret in its environment', async () => {
    const { lambda } = clients();
    const roles = new Set<string>();
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const properties = templateResource(functionLogicalId(key)).Properties;
      const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName(key) }));
      expect(fn.Runtime, key).toBe('nodejs22.x');
      expect(fn.Handler, key).toBe(`functions/${FUNCTIONS[key]}.handler`);
      expect(fn.MemorySize, key).toBe(properties['MemorySize']);
      expect(fn.Timeout, key).toBe(properties['Timeout']);
      const roleLogicalId = functionRoleId(properties['Role']);
      expect(fn.Role, key).toMatch(new RegExp(`:role/${physical(roleLogicalId)}$`));
      roles.add(fn.Role!);
      const values = Object.values(fn.Environment?.Variables ?? {});
      expect(values.some((v) => v.includes(TELEGRAM_TOKEN) || v.includes(FRED_KEY)), key).toBe(false);
    }
    expect(roles.size).toBe(Object.keys(FUNCTIONS).length);
    expect(deployed.update.environment).toMatchObject({
      CANDLELAKE_LAKE: 's3://candlelake-lake-local/', CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_BINANCE_URL: binance.url,
      TELEGRAM_BOT_TOKEN_PARAMETER: '/candlelake/local/telegram-bot-token',
    });
    expect(deployed.sentiment.environment).toMatchObject({ FRED_API_KEY_PARAMETER: '/candlelake/local/fred-api-key' });
  });

  it('gives every function a log group with the stage\'s retention and an encrypted dead-letter queue', async () => {
    const { logs, sqs } = clients();
    const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/candlelake-local-' }))).logGroups ?? [];
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual(
      (Object.keys(FUNCTIONS) as FunctionKey[]).map((key) => [`/aws/lambda/${functionName(key)}`, 7]).sort(),
    );
    for (const job of [...SCHEDULED_JOBS, 'backtest-recovery', 'notifier']) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `candlelake-local-${job}-dlq` }));
      const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
      expect(Boolean(attributes['KmsMasterKeyId']) || attributes['SqsManagedSseEnabled'] === 'true', job).toBe(true);
      expect(Number(attributes['MessageRetentionPeriod']), job).toBe(1_209_600);
    }
  });

  it.skipIf(ECS_MISSING)('registers the backtest task definition: its family, size, container and logs (Fargate, awsvpc and roles where the emulator keeps them)', async () => {
    const { ecs } = clients();
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: physical('BacktestTaskDefinition') }));
    const properties = templateResource('BacktestTaskDefinition').Properties;
    expect(taskDefinition).toMatchObject({ family: 'candlelake-local-backtest', memory: String(properties['Memory']) });
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: 'backtest', essential: true, stopTimeout: 30, linuxParameters: { initProcessEnabled: true },
      environment: expect.arrayContaining([{ name: 'CANDLELAKE_LAKE', value: 's3://candlelake-lake-local/' }]),
      logConfiguration: { logDriver: 'awslogs', options: expect.objectContaining({ 'awslogs-group': physical('BacktestLogGroup') }) },
    });
    // moto's CloudFormation registers the definition without its launch settings and roles (it
    // reports bridge mode, EC2, no cpu, no roles): those are checked on the template, and here elsewhere.
    expect(properties).toMatchObject({ RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', Cpu: 2048, Memory: 4096 });
    if (EXTERNAL_EMULATOR) {
      expect(taskDefinition).toMatchObject({ networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: String(properties['Cpu']) });
      expect(taskDefinition?.taskRoleArn).toMatch(new RegExp(`:role/${physical('BacktestTaskRole')}$`));
      expect(taskDefinition?.executionRoleArn).toMatch(new RegExp(`:role/${physical('BacktestExecutionRole')}$`));
    }
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toMatch(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/candlelake-backtest:latest$/);
  });

  it('takes the stage parameters: the universe, the Telegram chat, the alarm thresholds', () => {
    expect(deployed.update.environment).toMatchObject({ CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1d', TELEGRAM_CHAT_ID: CHAT_ID });
    const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const dlqAlarms = alarms.filter((r) => r.Properties['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    const errorAlarms = alarms.filter((r) => r.Properties['MetricName'] === 'Errors');
    // A --param arrives as a string ('2'), which CloudFormation takes for a number.
    expect(dlqAlarms.map((r) => Number(r.Properties['Threshold']))).toEqual(Array(7).fill(2)); // given: alarmDlqThreshold=2
    expect(errorAlarms.map((r) => Number(r.Properties['Threshold']))).toEqual(Array(7).fill(1)); // the default
  });

  it('creates the alerts topic under the stack\'s KMS key, and the dashboard naming every alarm', async () => {
    const { sns, cloudWatch } = clients();
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: physical('AlertsTopic') }))).Attributes ?? {};
    expect(attributes['TopicArn']).toBe(physical('AlertsTopic'));
    expect(attributes['KmsMasterKeyId']).toBeTruthy();
    const dashboard = await cloudWatch.send(new GetDashboardCommand({ DashboardName: 'candlelake-local' }));
    const alarmWidget = (JSON.parse(dashboard.DashboardBody!) as { widgets: Array<{ type: string; properties: { alarms?: string[] } }> }).widgets.find((w) => w.type === 'alarm');
    const alarmNames = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties['AlarmName'] as string);
    expect(alarmWidget?.properties.alarms?.map((arn) => arn.split(':alarm:')[1]).sort()).toEqual(alarmNames.sort());
    expect(alarmWidget?.properties.alarms?.every((arn) => arn.startsWith('arn:aws:cloudwatch:us-east-1:123456789012:alarm:'))).toBe(true);
  });
});

describe('each job\'s deployed handler against the deployed resources', () => {
  it('update fills the lake bucket from the Binance stand-in', async () => {
    const run = await invoke('update', scheduledEvent());
    expect(run.result, describeRun('update', run.process)).toMatchObject({ outcome: 'succeeded', failures: 0 });
    expect((run.result as { candlesWritten: number }).candlesWritten).toBeGreaterThan(2 * 300);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'candlelake-lake-local', Prefix: 'exchange=binance/dataset=ohlcv/' }));
    const symbols = new Set((listed.Contents ?? []).map((o) => /symbol=([^/]+)/.exec(o.Key!)?.[1]));
    expect([...symbols].sort()).toEqual(['BTC-USDT', 'ETH-USDT']);
  });

  it('sentiment stores every source, with the FRED key read from SSM', async () => {
    const run = await invoke('sentiment', scheduledEvent());
    expect(run.result, describeRun('sentiment', run.process)).toMatchObject({ outcome: 'succeeded' });
    expect(fred.requests.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(fred.requests.every((r) => r.query['api_key'] === FRED_KEY)).toBe(true);
  });

  it('validate finds the fresh lake OK', async () => {
    const run = await invoke('validate', scheduledEvent());
    expect(run.result, describeRun('validate', run.process)).toMatchObject({ status: 'OK', findings: 0 });
  });

  it('backup snapshots the lake into the backup bucket', async () => {
    const run = await invoke('backup', scheduledEvent());
    expect(run.result, describeRun('backup', run.process)).toMatchObject({ outcome: 'succeeded' });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'candlelake-backup-local-us-east-1', Prefix: 'snapshots/' }));
    expect((listed.Contents ?? []).some((o) => o.Key!.endsWith('/manifest.json'))).toBe(true);
  });

  it('digest sends the day\'s digest to the Telegram chat with the token from SSM', async () => {
    const before = telegram.messages.length;
    const run = await invoke('digest', scheduledEvent());
    expect(run.result, describeRun('digest', run.process)).toBeDefined();
    const sent = telegram.messages.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.chatId === CHAT_ID)).toBe(true);
    // The four jobs run above, each once and on time: the quiet-day digest.
    expect(sent.map((m) => m.text)).toEqual(['✅ candlelake: all quiet — 4 jobs on time, data fresh']);
  });

  it('status reads the lake and answers for every built job', async () => {
    const run = await invoke('status', {});
    expect(run.result, describeRun('status', run.process)).toMatchObject({ jobs: expect.arrayContaining([expect.objectContaining({ job: 'update' })]) });
  });

  it('notifier stores an alert published to the topic and sends it to Telegram', async () => {
    const before = telegram.messages.length;
    const text = `deployed-stack test alert ${randomUUID()}`;
    const message = snsAlertMessage({ job: 'recovery', key: 'recovery:backtest:critical', severity: 'CRITICAL', text });
    const event = {
      Records: [{
        EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: `${physical('AlertsTopic')}:sub`,
        Sns: {
          Type: 'Notification', MessageId: randomUUID(), TopicArn: physical('AlertsTopic'), Subject: 'candlelake CRITICAL', Message: message,
          Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 's', SigningCertUrl: 'u', UnsubscribeUrl: 'u', MessageAttributes: {},
        },
      }],
    };
    const run = await invoke('notifier', event);
    expect(run.process.code, describeRun('notifier', run.process)).toBe(0);
    expect(telegram.messages.slice(before).map((m) => m.text).join('\n')).toContain(text);
  });

  it.skipIf(ECS_MISSING)('backtestRecovery restarts a crashed task in the deployed cluster with the deployed task definition', async () => {
    const { ecs } = clients();
    const cluster = physical('BacktestCluster');
    const crashedArn = `arn:aws:ecs:us-east-1:123456789012:task/${cluster.split('/').pop()}/${randomUUID().replaceAll('-', '')}`;
    const event = ecsStoppedEvent(
      { taskArn: crashedArn, taskDefinitionArn: physical('BacktestTaskDefinition'), exitCode: 4, clusterArn: cluster, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
      Date.now(),
    );
    const run = await invoke('backtestRecovery', event);
    expect(run.result, describeRun('backtestRecovery', run.process)).toMatchObject({ action: 'restarted' });
    const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: 'candlelake-recovery' }));
    expect(listed.taskArns?.length).toBeGreaterThan(0);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: listed.taskArns }));
    expect(tasks?.[0]?.taskDefinitionArn).toBe(physical('BacktestTaskDefinition'));
  });

  it('no captured output of the deploy or any handler contains a secret', () => {
    expect(outputs.length).toBeGreaterThan(Object.keys(FUNCTIONS).length);
    for (const { label, text } of outputs) {
      expect(text.includes(TELEGRAM_TOKEN), `${label} printed the Telegram token`).toBe(false);
      expect(text.includes(FRED_KEY), `${label} printed the FRED key`).toBe(false);
    }
  });
});
