/**
 * The alerting side of the stack, read from the template `serverless package --stage dev` builds
 * offline (see package-once.ts): the digest, status and notifier functions, the notifier's
 * subscription to AlertsTopic, one retry and a dead-letter queue for each scheduled job function,
 * the error and dead-letter alarms that notify the topic, and the notifier's small zip.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { PACKAGE_TIMEOUT_S, packageOnce, type CfnResource, type CfnTemplate, functionRoleId, unzipPackage } from './package-once.ts';

/** The functions invoked asynchronously (schedules, EventBridge events, SNS). */
const SCHEDULED = [
  ['update', 'Update'],
  ['validate', 'Validate'],
  ['digest', 'Digest'],
  ['backup', 'Backup'],
  ['sentiment', 'Sentiment'],
  // Not scheduled but asynchronous too (EventBridge events, SNS): the same on-failure path.
  ['backtest-recovery', 'BacktestRecovery'],
  ['notifier', 'Notifier'],
] as const;

let outDir: string;
let template: CfnTemplate;
let notifierDir: string;

beforeAll(async () => {
  ({ outDir, template } = await packageOnce());
  notifierDir = mkdtempSync(path.join(tmpdir(), 'candlelake-notifier-zip-'));
  await unzipPackage(path.join(outDir, 'notifier.zip'), notifierDir);
}, (2 * PACKAGE_TIMEOUT_S + 60) * 1000);

afterAll(() => {
  for (const dir of [outDir, notifierDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const refOf = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

function resourcesOfType(type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function lambdaFunction(name: string): [string, CfnResource] {
  const found = resourcesOfType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Handler === `functions/${name}.handler`);
  expect(found, `one function with handler functions/${name}.handler`).toHaveLength(1);
  return found[0]!;
}

function alertsTopicId(): string {
  const topics = resourcesOfType('AWS::SNS::Topic');
  expect(topics).toHaveLength(1);
  return topics[0]![0];
}

describe('the alerting functions', () => {
  it.each(['digest', 'status', 'notifier'])('%s exists with a role of its own', (name) => {
    const [, fn] = lambdaFunction(name);
    const roleId = functionRoleId(fn.Properties.Role);

    expect(template.Resources[roleId]?.Type).toBe('AWS::IAM::Role');
    expect(roleId.toLowerCase()).toContain(name);
  });

  it('runs the digest on the schedule table of lib/schedule/jobs.json', () => {
    const [fnId] = lambdaFunction('digest');
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, r]) =>
      ((r.Properties.Targets ?? []) as Array<{ Arn: unknown }>).some((t) => JSON.stringify(t.Arn) === JSON.stringify(arnOf(fnId))),
    );

    expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toEqual([jobs.digest.awsCron]);
  });

  it('gives status no schedule', () => {
    const [fnId] = lambdaFunction('status');
    const targets = resourcesOfType('AWS::Events::Rule').flatMap(([, r]) => (r.Properties.Targets ?? []) as Array<{ Arn: unknown }>);

    expect(targets.filter((t) => JSON.stringify(t.Arn) === JSON.stringify(arnOf(fnId)))).toEqual([]);
  });

  it("lets status read only this stage's alarms, and tells it their prefix", () => {
    const [, fn] = lambdaFunction('status');
    const roleId = functionRoleId(fn.Properties.Role);
    const policies = template.Resources[roleId]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } }>;
    const cloudwatch = policies.flatMap((p) => p.PolicyDocument.Statement).filter((st) => [st.Action].flat().some((a) => a.startsWith('cloudwatch:')));
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;

    expect(env['CANDLELAKE_ALARM_PREFIX']).toBe('candlelake-dev-');
    expect(cloudwatch).toEqual([
      expect.objectContaining({
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:candlelake-dev-*' },
      }),
    ]);
    // Every alarm the stack names starts with the prefix the probe reads.
    const names = resourcesOfType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name.startsWith(env['CANDLELAKE_ALARM_PREFIX']!)).toBe(true);
  });

  it('subscribes the notifier to AlertsTopic', () => {
    const [fnId] = lambdaFunction('notifier');
    const subscriptions = resourcesOfType('AWS::SNS::Subscription').filter(([, s]) => JSON.stringify(s.Properties.Endpoint) === JSON.stringify(arnOf(fnId)));

    expect(subscriptions.map(([, s]) => [s.Properties.Protocol, s.Properties.TopicArn])).toEqual([['lambda', refOf(alertsTopicId())]]);
    const permissions = resourcesOfType('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(arnOf(fnId)));
    expect(permissions.map(([, p]) => [p.Properties.Principal, p.Properties.SourceArn])).toEqual([['sns.amazonaws.com', refOf(alertsTopicId())]]);
  });
});

describe.each(SCHEDULED)('the %s function on failure', (name, id) => {
  it('retries once, then sends the event to its own encrypted dead-letter queue', () => {
    const [fnId] = lambdaFunction(name);
    const configs = resourcesOfType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify(refOf(fnId)));
    expect(configs).toHaveLength(1);
    const config = configs[0]![1].Properties as { MaximumRetryAttempts: number; DestinationConfig: { OnFailure: { Destination: unknown } } };
    const queueId = (config.DestinationConfig.OnFailure.Destination as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const queue = template.Resources[queueId]!;

    expect(config.MaximumRetryAttempts).toBe(1);
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queueId).toBe(`${id}Dlq`);
  });

  it('may send to that queue (a policy attached to its role that the invoke config waits for), and nowhere else in SQS', () => {
    const [fnId, fn] = lambdaFunction(name);
    const roleId = functionRoleId(fn.Properties.Role);
    type Statement = { Action: string[]; Resource: unknown };
    const inline = (template.Resources[roleId]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement);
    const attached = resourcesOfType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([refOf(roleId)]));
    const statements = [...inline, ...attached.flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)];
    const sqs = statements.filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    const invokeConfig = resourcesOfType('AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify(refOf(fnId)));

    expect(sqs.map((s) => [s.Action, s.Resource])).toEqual([[['sqs:SendMessage'], arnOf(`${id}Dlq`)]]);
    expect(attached).toHaveLength(1);
    expect(invokeConfig?.[1].DependsOn).toContain(attached[0]![0]);
  });

  it('has an alarm on its Errors and one on its queue, both notifying AlertsTopic', () => {
    const [fnId] = lambdaFunction(name);
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const errors = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: refOf(fnId) }]));
    const dlq = alarms.filter(
      (a) =>
        a.Namespace === 'AWS/SQS' &&
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [`${id}Dlq`, 'QueueName'] } }]),
    );

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [refOf(alertsTopicId())] });
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [refOf(alertsTopicId())] });
  });
});

describe('IAM and packaging', () => {
  it("has no statement with Action '*' in any role", () => {
    const actions = resourcesOfType('AWS::IAM::Role').flatMap(([id, r]) =>
      ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }>).flatMap((p) =>
        p.PolicyDocument.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).map((action) => [id, action])),
      ),
    );

    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter(([, action]) => action === '*')).toEqual([]);
  });

  it('ships the notifier without DuckDB', () => {
    const files = readdirSync(notifierDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

    expect(files).toContain('notifier.mjs');
    expect(files.filter((f) => /libduckdb|duckdb\.node/.test(f))).toEqual([]);
  });
});
