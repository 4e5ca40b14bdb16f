/**
 * ECS on moto for the recovery tests: a VPC subnet and security group (Fargate's awsvpc mode needs
 * real ones — moto creates an ENI in the subnet for every task), a cluster, a Fargate task
 * definition, and the state-manager switch that keeps moto's tasks RUNNING while they are
 * described (by default moto advances a task one lifecycle step per DescribeTasks, so a task
 * reads DEACTIVATING at its first description).
 *
 * EC2 is reached with a raw query request (no EC2 client in the project): moto routes by the
 * service in the Authorization header's credential scope and does not check the signature.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';

/** What EventBridge's scheduled RunTask target sets as `startedBy` (a stand-in for the 23:30 run). */
export const SCHEDULED_STARTED_BY = 'events-rule/candlelake-backtest';
export const CONTAINER_NAME = 'backtest';

async function ec2Query(endpoint: string, params: Record<string, string>): Promise<string> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`EC2 ${params.Action} on moto answered ${response.status}: ${text}`);
  return text;
}

function xmlValue(xml: string, tag: string): string {
  const match = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml);
  if (!match) throw new Error(`no <${tag}> in moto's answer: ${xml.slice(0, 500)}`);
  return match[1]!;
}

/**
 * A fresh VPC (DNS host names on) with one subnet and one security group on moto.
 * @example const { subnetId, securityGroupId } = await createMotoNetwork(endpoint);
 */
export async function createMotoNetwork(endpoint: string): Promise<{ subnetId: string; securityGroupId: string }> {
  const octet = 16 + Math.floor(Math.random() * 200);
  const vpcId = xmlValue(await ec2Query(endpoint, { Action: 'CreateVpc', CidrBlock: `10.${octet}.0.0/16` }), 'vpcId');
  // moto's ECS reads the task ENI's private DNS name, which its EC2 only sets in a VPC with DNS
  // host names on (as in a default VPC): without this, RunTask answers 500.
  await ec2Query(endpoint, { Action: 'ModifyVpcAttribute', VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' });
  const subnetId = xmlValue(
    await ec2Query(endpoint, { Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: `10.${octet}.1.0/24` }),
    'subnetId',
  );
  const securityGroupId = xmlValue(
    await ec2Query(endpoint, {
      Action: 'CreateSecurityGroup',
      GroupName: `backtest-${randomUUID().slice(0, 8)}`,
      GroupDescription: 'candlelake backtest (test)',
      VpcId: vpcId,
    }),
    'groupId',
  );
  return { subnetId, securityGroupId };
}

/**
 * Keeps moto's ECS tasks in RUNNING until stopped (see the module comment). Returns the undo.
 * @example const restore = await keepMotoTasksRunning(endpoint); … await restore();
 */
export async function keepMotoTasksRunning(endpoint: string): Promise<() => Promise<void>> {
  const post = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${endpoint}/moto-api/state-manager/${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`moto state-manager ${path} answered ${response.status}: ${await response.text()}`);
  };
  await post('set-transition', { model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } });
  return () => post('unset-transition', { model_name: 'ecs::task' });
}

/**
 * A new cluster and Fargate task definition (unique names), as the stack would define them.
 * @example const { cluster, taskDefinitionArn, family } = await createBacktestCluster(ecs);
 */
export async function createBacktestCluster(ecs: ECSClient): Promise<{ cluster: string; family: string; taskDefinitionArn: string }> {
  const suffix = randomUUID().slice(0, 8);
  const cluster = `candlelake-${suffix}`;
  const family = `candlelake-backtest-${suffix}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '1024',
      memory: '2048',
      // Container-level memory is optional on Fargate (the task-level size suffices); moto's
      // RunTask sums container memory and fails with a 500 without it.
      containerDefinitions: [
        { name: CONTAINER_NAME, image: 'candlelake:test', essential: true, memory: 2048, command: ['node', 'bin/candlelake.js', 'backtest-task'] },
      ],
    }),
  );
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no ARN');
  return { cluster, family, taskDefinitionArn };
}

/**
 * Starts the backtest the way the 23:30 EventBridge rule does (RunTask, FARGATE, awsvpc).
 * @example const taskArn = await startScheduledTask(ecs, setup);
 */
export async function startScheduledTask(
  ecs: ECSClient,
  setup: { cluster: string; family: string; subnetId: string; securityGroupId: string },
): Promise<string> {
  const response = await ecs.send(
    new RunTaskCommand({
      cluster: setup.cluster,
      taskDefinition: setup.family,
      launchType: 'FARGATE',
      startedBy: SCHEDULED_STARTED_BY,
      networkConfiguration: { awsvpcConfiguration: { subnets: [setup.subnetId], securityGroups: [setup.securityGroupId], assignPublicIp: 'ENABLED' } },
    }),
  );
  const arn = response.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask started nothing: ${JSON.stringify(response.failures)}`);
  return arn;
}

/** One task as DescribeTasks reports it. */
export async function describeTask(ecs: ECSClient, cluster: string, taskArn: string): Promise<Task> {
  const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const task = response.tasks?.find((t) => t.taskArn === taskArn);
  if (!task) throw new Error(`DescribeTasks does not know ${taskArn}`);
  return task;
}
