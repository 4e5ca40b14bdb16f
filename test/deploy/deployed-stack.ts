/**
 * The deployed `local` stage, for test/deploy/deploy-local-stage.test.ts: `serverless deploy` into
 * the emulator, the stack's resources by logical id, and each function run from the zip that was
 * deployed (fetched back from the deployment bucket) with the environment the deployed function has.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { offlineEnv, run, runServerless, tail, type CfnTemplate, type ProcessResult, unzipPackage } from './package-once.ts';

export const STACK_NAME = 'candlelake-local';
/** A deploy takes ~25 s on moto (packaging included); LocalStack is slower. */
const DEPLOY_TIMEOUT_S = 600;

/** The environment of a deploy or a handler run against the emulator: no real AWS reachable. */
export function emulatorEnv(endpoint: string): NodeJS.ProcessEnv {
  return { ...offlineEnv(), AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
}

/**
 * `serverless deploy --stage local` with the given `--param`s, under the packaging lock (the build
 * directory is shared with `serverless package`).
 * @example const result = await deployLocalStage(endpoint, { symbols: 'BTC/USDT' });
 */
export function deployLocalStage(endpoint: string, params: Record<string, string>): Promise<ProcessResult> {
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
  return runServerless(['deploy', '--stage', 'local', ...paramArgs], DEPLOY_TIMEOUT_S, emulatorEnv(endpoint));
}

/** The stack's resources by logical id. */
export async function stackResources(cloudFormation: CloudFormationClient): Promise<Map<string, StackResourceSummary>> {
  const byId = new Map<string, StackResourceSummary>();
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(new ListStackResourcesCommand({ StackName: STACK_NAME, NextToken }));
    for (const resource of page.StackResourceSummaries ?? []) byId.set(resource.LogicalResourceId!, resource);
    NextToken = page.NextToken;
  } while (NextToken);
  return byId;
}

/**
 * The template osls deployed, read back from the deployment bucket (not the local `.serverless/`,
 * which the next package run overwrites).
 */
export async function deployedTemplate(s3: S3Client, deploymentBucket: string, anyArtifactKey: string): Promise<CfnTemplate> {
  const key = `${path.posix.dirname(anyArtifactKey)}/compiled-cloudformation-template.json`;
  const object = await s3.send(new GetObjectCommand({ Bucket: deploymentBucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as CfnTemplate;
}

/** One deployed function, ready to run: its unzipped code and its configured environment. */
export interface DeployedFunction {
  name: string;
  dir: string;
  environment: Record<string, string>;
}

/**
 * Downloads the function's zip from where its CloudFormation `Code` points (the deployment bucket),
 * unzips it and reads the function's environment from Lambda.
 */
export async function fetchDeployedFunction(
  clients: { s3: S3Client; lambda: LambdaClient },
  deploymentBucket: string,
  template: CfnTemplate,
  logicalId: string,
  functionName: string,
): Promise<DeployedFunction> {
  const code = template.Resources[logicalId]!.Properties['Code'] as { S3Key: string };
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: deploymentBucket, Key: code.S3Key }));
  const dir = mkdtempSync(path.join(tmpdir(), `candlelake-deployed-${functionName}-`));
  const zip = path.join(dir, 'code.zip');
  writeFileSync(zip, await object.Body!.transformToByteArray());
  const unzipped = path.join(dir, 'task');
  await unzipPackage(zip, unzipped);
  const configuration = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return { name: functionName, dir: unzipped, environment: configuration.Environment?.Variables ?? {} };
}

/** What one handler run gave: its JSON result (or undefined when it threw) and everything it printed. */
export interface HandlerRun {
  result: unknown;
  process: ProcessResult;
}

/**
 * Runs `functions/<file>.mjs` of a deployed function in a fresh Node process, as Lambda would: its
 * deployed environment, LAMBDA_TASK_ROOT at the unzipped code, plus only the emulator endpoint and
 * credentials (which Lambda would give through its role).
 */
export async function invokeDeployedHandler(
  endpoint: string,
  fn: DeployedFunction,
  file: string,
  event: unknown,
  overrides: Record<string, string> = {},
): Promise<HandlerRun> {
  const handlerUrl = pathToFileURL(path.join(fn.dir, 'functions', `${file}.mjs`)).href;
  const context = {
    functionName: fn.name, functionVersion: '$LATEST', memoryLimitInMB: '1024', awsRequestId: randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn.name}`,
    logGroupName: `/aws/lambda/${fn.name}`, logStreamName: 'deployed-stack-test',
  };
  const script = [
    `const m = await import(${JSON.stringify(handlerUrl)});`,
    `const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 120000 };`,
    `const result = await m.handler(${JSON.stringify(event)}, context);`,
    `console.log('RESULT ' + JSON.stringify(result ?? null));`,
    'process.exit(0);',
  ].join('\n');
  const emulator = emulatorEnv(endpoint);
  const scratch = mkdtempSync(path.join(tmpdir(), 'candlelake-deployed-run-'));
  const child = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: scratch,
    env: {
      PATH: process.env.PATH,
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: fn.dir,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      ...fn.environment,
      CANDLELAKE_CACHE_DIR: path.join(scratch, 'cache'),
      AWS_ENDPOINT_URL: emulator.AWS_ENDPOINT_URL,
      AWS_ACCESS_KEY_ID: emulator.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: emulator.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: emulator.AWS_REGION,
      ...overrides,
    },
  }).finally(() => rmSync(scratch, { recursive: true, force: true }));
  const resultLine = child.stdout.split('\n').find((line) => line.startsWith('RESULT '));
  return { result: resultLine ? (JSON.parse(resultLine.slice('RESULT '.length)) as unknown) : undefined, process: child };
}

/** A failure message with the end of a process's output. */
export function describeRun(label: string, run: ProcessResult): string {
  return `${label}: exit ${run.code} after ${run.ms} ms\n${tail(run.stderr)}\n${tail(run.stdout)}`;
}
