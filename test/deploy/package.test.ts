/**
 * The deployment package, built once by the real osls + serverless-esbuild (`serverless package
 * --stage dev`, offline, without AWS credentials) and checked from the outside: the
 * CloudFormation template it would deploy, the zips it would upload (update, validate), and the
 * bundled handlers run from those zips alone (no project node_modules) — imported, then invoked
 * against the Binance stand-in with the lake on S3 in moto and metrics in moto's CloudWatch.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchClient } from '../../lib/metrics/index.ts';
import { createTestBucket, s3ClientForTests, useAwsEndpoint } from '../harness/aws.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';
import jobs from '../../lib/schedule/jobs.json' with { type: 'json' };
import { PACKAGE_TIMEOUT_S, packageOnce, run, tail, functionRoleId, unzipPackage } from './package-once.ts';

/** Lambda's hard limit on a function's unzipped code (layers included). */
const LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 2 ** 20;
/** The only packages the zip may carry in node_modules: DuckDB's, which esbuild cannot bundle. */
const PACKAGED_MODULES = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc'];
/** Bare static imports the bundle may leave (resolved at cold start): DuckDB, packaged beside it. */
const STATIC_EXTERNAL_IMPORTS = ['@duckdb/node-api'];
/** Bare import() the bundle may leave (resolved only when called): ccxt's optional protobufjs, for dYdX. */
const LAZY_EXTERNAL_IMPORTS = new Set(['protobufjs/minimal.js']);
/** Relative imports left outside the bundle on purpose: ccxt's dYdX signing code (import() only, needs protobufjs). */
const UNBUNDLED_RELATIVE_IMPORT = /^\.\.\/static_dependencies\/dydx-v4-client\//;
/** The functions packaged, each in its own zip. */
const FUNCTIONS = ['update', 'validate'] as const;
type FunctionName = (typeof FUNCTIONS)[number];
/** Dependencies every job uses that must be inside the bundle, not in node_modules. */
const BUNDLED_PACKAGES = ['@aws-lambda-powertools/logger', '@middy/core', 'ccxt', '@aws-sdk/client-s3', 'zod', 'p-retry'];
/** What each function's bundle must hold beyond that: its job, and the packages only it uses. */
const BUNDLED_PER_FUNCTION: Record<FunctionName, { packages: string[]; job: string }> = {
  update: { packages: ['p-limit'], job: 'lib/update/index.ts' },
  validate: { packages: ['@aws-sdk/client-cloudwatch'], job: 'lib/validate/index.ts' },
};
/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

type Json = Record<string, unknown>;
interface CfnResource {
  Type: string;
  Properties: Json;
  DependsOn?: string[];
  DeletionPolicy?: string;
}
interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Json;
}
/** Every file under `dir`, as forward-slash paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** The package a `node_modules/...` path belongs to (`@scope/name` or `name`). */
function packageOf(modulePath: string): string {
  const parts = modulePath.slice(modulePath.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Where `serverless package` writes the template and the zips. */
let outDir: string;
/** Each function's zip, extracted: what Lambda would have in /var/task. */
const unzippedDirs = {} as Record<FunctionName, string>;
let template: { Resources: Record<string, CfnResource> };
/** Lakes, caches and working directories of the child processes, removed after the file. */
const scratchDirs: string[] = [];

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

function resourcesOfType(type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

function lambdaFunction(name: FunctionName): [string, CfnResource] {
  return only(
    resourcesOfType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Handler === `functions/${name}.handler`),
    `one function with handler functions/${name}.handler`,
  );
}

function updateFunction(): [string, CfnResource] {
  return lambdaFunction('update');
}

function environmentOf(fn: CfnResource): Record<string, string> {
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

/** The lake bucket: the one CANDLELAKE_LAKE of the update function points at. */
function lakeBucket(): [string, CfnResource] {
  const lake = environmentOf(updateFunction()[1]).CANDLELAKE_LAKE;
  const name = /^s3:\/\/([^/]+)\/$/.exec(lake ?? '')?.[1];
  expect(name, `CANDLELAKE_LAKE=${lake}`).toBeDefined();
  return only(
    resourcesOfType('AWS::S3::Bucket').filter(([, b]) => b.Properties.BucketName === name),
    `one bucket named ${name}`,
  );
}

/** What an IAM `Resource` entry designates in the lake: the bucket, its objects, or something else. */
function lakeTarget(resource: unknown, lakeId: string, lakeName: string): 'bucket' | 'objects' | 'other' {
  const json = JSON.stringify(resource);
  if (json === JSON.stringify({ 'Fn::GetAtt': [lakeId, 'Arn'] }) || json === JSON.stringify(`arn:aws:s3:::${lakeName}`)) return 'bucket';
  if (json === JSON.stringify({ 'Fn::Sub': `\${${lakeId}.Arn}/*` }) || json === JSON.stringify(`arn:aws:s3:::${lakeName}/*`)) return 'objects';
  return 'other';
}

beforeAll(async () => {
  ({ outDir, template } = await packageOnce());

  for (const name of FUNCTIONS) {
    unzippedDirs[name] = mkdtempSync(path.join(tmpdir(), `candlelake-unzipped-${name}-`));
    await unzipPackage(path.join(outDir, `${name}.zip`), unzippedDirs[name]);
  }
}, (PACKAGE_TIMEOUT_S + 60) * 1000);

afterAll(() => {
  for (const dir of [outDir, ...Object.values(unzippedDirs), ...scratchDirs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The only grants besides the lake and the logs a function that sends alerts may hold: reading its
 * Telegram token parameter, and decrypting it through SSM only.
 */
function expectTelegramTokenGrants(grants: Array<{ action: string; resource: unknown; condition?: unknown }>, env: Record<string, string>): void {
  const ssm = grants.filter((g) => g.action.startsWith('ssm:'));
  expect(ssm.map((g) => [g.action, JSON.stringify(g.resource)])).toEqual([
    ['ssm:GetParameter', JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${env['TELEGRAM_BOT_TOKEN_PARAMETER']}` })],
  ]);
  const kms = grants.filter((g) => g.action.startsWith('kms:'));
  expect(kms.map((g) => g.action)).toEqual(['kms:Decrypt']);
  expect(kms[0]!.condition).toMatchObject({ StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } });
}

describe('CloudFormation template of `serverless package --stage dev`', () => {
  it('has the update function on nodejs22.x with a 900 s timeout, its own role and the lake in its environment', () => {
    const [, fn] = updateFunction();
    const [, lake] = lakeBucket();

    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 900, Architectures: ['x86_64'] });
    expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(fn.Properties.MemorySize).toBeLessThanOrEqual(2048);
    expect(fn.Properties.Layers, 'DuckDB ships in the zip, not in a layer').toBeUndefined();
    expect(environmentOf(fn)).toMatchObject({
      CANDLELAKE_LAKE: `s3://${lake.Properties.BucketName as string}/`,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'candlelake-update',
      POWERTOOLS_LOG_LEVEL: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/),
    });
    expect(environmentOf(fn).CANDLELAKE_CACHE_DIR, 'only /tmp is writable on Lambda').toMatch(/^\/tmp\//);
    expect(lake.Properties.BucketName).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
  });

  it('schedules the update function with the awsCron of lib/schedule/jobs.json', () => {
    const [fnId] = updateFunction();
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, rule]) =>
      asArray(rule.Properties.Targets as Json[]).some((target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] })),
    );
    const [, rule] = only(rules, 'one EventBridge rule targeting the update function');
    expect(rule.Properties.ScheduleExpression).toBe(jobs.update.awsCron);
    expect(rule.Properties.State).toBe('ENABLED');
  });

  it('keeps the lake bucket versioned, encrypted, private, retained, with non-current versions kept at least 7 days', () => {
    const [, lake] = lakeBucket();
    const p = lake.Properties as {
      VersioningConfiguration: { Status: string };
      BucketEncryption: { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }> };
      PublicAccessBlockConfiguration: Record<string, boolean>;
      LifecycleConfiguration: { Rules: Array<{ Status: string; NoncurrentVersionExpiration?: { NoncurrentDays: number } }> };
    };

    expect(p.VersioningConfiguration.Status).toBe('Enabled');
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration.map((c) => c.ServerSideEncryptionByDefault.SSEAlgorithm)).toEqual([
      expect.stringMatching(/^(AES256|aws:kms|aws:kms:dsse)$/),
    ]);
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const noncurrentDays = p.LifecycleConfiguration.Rules.filter((r) => r.Status === 'Enabled' && r.NoncurrentVersionExpiration).map(
      (r) => r.NoncurrentVersionExpiration!.NoncurrentDays,
    );
    expect(noncurrentDays).toHaveLength(1);
    expect(noncurrentDays[0]).toBeGreaterThanOrEqual(7);
    expect(lake.DeletionPolicy).toBe('Retain');
  });

  it('denies every request to the lake bucket and its objects that does not use TLS', () => {
    const [lakeId, lake] = lakeBucket();
    const [, policy] = only(
      resourcesOfType('AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: lakeId })),
      'one bucket policy on the lake bucket',
    );
    const statements = (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement;
    const denyPlain = statements.filter(
      (s) => s.Effect === 'Deny' && s.Principal === '*' && String((s.Condition?.Bool as Json | undefined)?.['aws:SecureTransport']) === 'false',
    );
    const [statement] = denyPlain;
    expect(denyPlain).toHaveLength(1);
    expect(asArray(statement!.Action)).toContain('s3:*');
    expect(asArray(statement!.Resource).map((r) => lakeTarget(r, lakeId, lake.Properties.BucketName as string)).sort()).toEqual(['bucket', 'objects']);
  });

  /** A function's own role, its log group, and every grant of its inline policies (one per action × resource). */
  function roleOf(fn: CfnResource) {
    const roleId = functionRoleId(fn.Properties.Role);
    const role = template.Resources[roleId]!;
    const [logGroupId] = only(
      resourcesOfType('AWS::Logs::LogGroup').filter(([, g]) => g.Properties.LogGroupName === `/aws/lambda/${fn.Properties.FunctionName as string}`),
      "the function's log group",
    );
    const statements = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    const grants = statements.flatMap((s) =>
      asArray(s.Action).flatMap((action) => asArray(s.Resource).map((resource) => ({ effect: s.Effect, action, resource, condition: s.Condition }))),
    );
    return { roleId, role, logGroupId, grants };
  }

  it("gives the update function's role only object access in the lake, listing of the lake, and its own log group", () => {
    const [, fn] = updateFunction();
    const [lakeId, lake] = lakeBucket();
    const { role, logGroupId, grants } = roleOf(fn);

    expect(role.Type).toBe('AWS::IAM::Role');
    expect(template.Resources.IamRoleLambdaExecution, 'no shared framework role').toBeUndefined();
    expect(role.Properties.ManagedPolicyArns, 'no managed policies (they grant logs on *)').toBeUndefined();
    expect(grants.filter((g) => g.action.includes('*') || JSON.stringify(g.resource) === '"*"')).toEqual([]);
    expect(environmentOf(fn)).toMatchObject({ TELEGRAM_BOT_TOKEN_PARAMETER: '/candlelake/dev/telegram-bot-token' });
    expect(grants.every((g) => g.effect === 'Allow')).toBe(true);

    const lakeName = lake.Properties.BucketName as string;
    const s3Grants = grants.filter((g) => g.action.startsWith('s3:')).map((g) => `${g.action} ${lakeTarget(g.resource, lakeId, lakeName)}`);
    expect(s3Grants.sort()).toEqual(['s3:DeleteObject objects', 's3:GetObject objects', 's3:ListBucket bucket', 's3:PutObject objects']);

    const logGrants = grants.filter((g) => g.action.startsWith('logs:'));
    expect(logGrants.map((g) => g.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const grant of logGrants) expect(grant.resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    expectTelegramTokenGrants(grants, environmentOf(fn));
    expect(grants.filter((g) => !/^(s3|logs|ssm|kms):/.test(g.action))).toEqual([]);
  });

  it.each(FUNCTIONS)("creates the %s function's log group with a retention CloudWatch accepts", (name) => {
    const [, fn] = lambdaFunction(name);
    const [logGroupId, logGroup] = only(
      resourcesOfType('AWS::Logs::LogGroup').filter(([, g]) => g.Properties.LogGroupName === `/aws/lambda/${fn.Properties.FunctionName as string}`),
      "the function's log group",
    );
    expect(LOG_RETENTION_DAYS).toContain(logGroup.Properties.RetentionInDays);
    expect(fn.DependsOn).toContain(logGroupId);
  });

  it('has the validate function on nodejs22.x beside update: same lake and exchange settings, CloudWatch metrics in the stage namespace', () => {
    const [, fn] = lambdaFunction('validate');
    const [, update] = updateFunction();
    const env = environmentOf(fn);

    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'] });
    expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(300);
    // Repairs hold the update lease (15 min TTL) without renewing it: the function must end first.
    expect(fn.Properties.Timeout).toBeLessThan(15 * 60);
    expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(fn.Properties.MemorySize).toBeLessThanOrEqual(2048);
    expect(fn.Properties.Layers, 'DuckDB ships in the zip, not in a layer').toBeUndefined();
    const shared = ['CANDLELAKE_LAKE', 'CANDLELAKE_BINANCE_URL', 'CANDLELAKE_SYMBOLS', 'CANDLELAKE_TIMEFRAMES', 'NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL'];
    for (const name of shared) expect(env[name], name).toBe(environmentOf(update)[name]);
    expect(env).toMatchObject({
      CANDLELAKE_CACHE_DIR: '/tmp/candlelake/cache',
      CANDLELAKE_METRICS: 'cloudwatch',
      CANDLELAKE_METRICS_NAMESPACE: 'candlelake-dev',
      POWERTOOLS_SERVICE_NAME: 'candlelake-validate',
    });
  });

  it('schedules the validate function with the awsCron of lib/schedule/jobs.json', () => {
    const [fnId] = lambdaFunction('validate');
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, rule]) =>
      asArray(rule.Properties.Targets as Json[]).some((target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] })),
    );
    const [, rule] = only(rules, 'one EventBridge rule targeting the validate function');
    expect(rule.Properties.ScheduleExpression).toBe(jobs.validate.awsCron);
    expect(rule.Properties.State).toBe('ENABLED');
  });

  it("gives the validate function's own role object access in the lake, listing, its own log group, and PutMetricData in its namespace only", () => {
    const [, fn] = lambdaFunction('validate');
    const [, update] = updateFunction();
    const [lakeId, lake] = lakeBucket();
    const { roleId, role, logGroupId, grants } = roleOf(fn);

    expect(roleId).toBe('ValidateRole');
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(update.Properties.Role, 'not the update function\'s role').not.toEqual(fn.Properties.Role);
    expect(role.Properties.ManagedPolicyArns, 'no managed policies').toBeUndefined();
    expect(grants.filter((g) => g.action.includes('*')), 'no wildcard actions').toEqual([]);
    expect(grants.every((g) => g.effect === 'Allow')).toBe(true);

    const lakeName = lake.Properties.BucketName as string;
    const s3Grants = grants.filter((g) => g.action.startsWith('s3:')).map((g) => `${g.action} ${lakeTarget(g.resource, lakeId, lakeName)}`);
    expect(s3Grants.sort()).toEqual(['s3:DeleteObject objects', 's3:GetObject objects', 's3:ListBucket bucket', 's3:PutObject objects']);

    const logGrants = grants.filter((g) => g.action.startsWith('logs:'));
    expect(logGrants.map((g) => g.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const grant of logGrants) expect(grant.resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });

    // PutMetricData takes only Resource '*'; the namespace condition is what scopes it.
    const metricGrants = grants.filter((g) => g.action.startsWith('cloudwatch:'));
    expect(metricGrants).toEqual([
      {
        effect: 'Allow',
        action: 'cloudwatch:PutMetricData',
        resource: '*',
        condition: { StringEquals: { 'cloudwatch:namespace': environmentOf(fn).CANDLELAKE_METRICS_NAMESPACE } },
      },
    ]);
    expect(grants.filter((g) => JSON.stringify(g.resource) === '"*"' && g.action !== 'cloudwatch:PutMetricData')).toEqual([]);
    expectTelegramTokenGrants(grants, environmentOf(fn));
    expect(grants.filter((g) => !/^(s3|logs|cloudwatch|ssm|kms):/.test(g.action))).toEqual([]);
  });

  it('alarms on a CRITICAL validation, or on none, and notifies the alerts topic', () => {
    const [, fn] = lambdaFunction('validate');
    const alarm = template.Resources.ValidateCriticalAlarm;

    expect(alarm?.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm!.Properties).toMatchObject({
      Namespace: environmentOf(fn).CANDLELAKE_METRICS_NAMESPACE,
      MetricName: 'ValidateStatus',
      Dimensions: [{ Name: 'exchange', Value: 'binance' }],
      Statistic: 'Maximum',
      // One datapoint a day: a period of one day holds the latest run (see serverless.yml).
      Period: 86_400,
      EvaluationPeriods: 1,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
    });
    // CloudWatch's limits: a multiple of 60 s, at most 7 days evaluated.
    expect((alarm!.Properties.Period as number) % 60).toBe(0);
    expect((alarm!.Properties.Period as number) * (alarm!.Properties.EvaluationPeriods as number)).toBeLessThanOrEqual(7 * 86_400);
    // The SNS topic itself (encryption, who may publish) is checked in backtest-stack.test.ts.
    expect(alarm!.Properties.AlarmActions).toEqual([{ Ref: 'AlertsTopic' }]);
    expect(alarm!.Properties.OKActions).toBeUndefined();
  });
});

describe.each(FUNCTIONS)('%s.zip', (name) => {
  it('holds the bundled handler, with only the DuckDB packages in node_modules', () => {
    const files = listFiles(unzippedDirs[name]);
    const modules = new Set(files.filter((f) => f.startsWith('node_modules/')).map(packageOf));

    expect(files).toContain(`functions/${name}.mjs`);
    expect(files).toContain(`functions/${name}.mjs.map`);
    expect(files.filter((f) => f.endsWith('.ts')), 'no TypeScript sources or declarations').toEqual([]);
    expect(files.filter((f) => !f.startsWith('functions/') && !f.startsWith('node_modules/'))).toEqual([]);
    expect([...modules].sort()).toEqual([...PACKAGED_MODULES].sort());
  });

  it('carries the linux-x64 DuckDB binding and libduckdb.so where node-bindings looks for them', () => {
    const nativeDir = path.join(unzippedDirs[name], 'node_modules', '@duckdb', 'node-bindings-linux-x64');
    expect(statSync(path.join(nativeDir, 'duckdb.node')).size).toBeGreaterThan(100_000);
    expect(statSync(path.join(nativeDir, 'libduckdb.so')).size).toBeGreaterThan(20 * 2 ** 20);
    expect(existsSync(path.join(unzippedDirs[name], 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js'))).toBe(true);
  });

  it('fits Lambda: under 250 MB unzipped', () => {
    const dir = unzippedDirs[name];
    const unzippedBytes = listFiles(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
    expect(unzippedBytes).toBeLessThan(LAMBDA_UNZIPPED_LIMIT_BYTES);
    expect(statSync(path.join(outDir, `${name}.zip`)).size).toBeLessThan(unzippedBytes);
  });

  it('bundles the libraries the job uses, leaving only DuckDB and the dYdX-only modules as imports', () => {
    const functionsDir = path.join(unzippedDirs[name], 'functions');
    const bundleFiles = listFiles(functionsDir);
    const sources = bundleFiles
      .filter((f) => f.endsWith('.mjs.map'))
      .flatMap((f) => (JSON.parse(readFileSync(path.join(functionsDir, f), 'utf8')) as { sources: string[] }).sources);
    const bundledPackages = new Set(sources.filter((s) => s.includes('node_modules/')).map(packageOf));
    const builtins = new Set(builtinModules);
    const staticImports = new Set<string>();
    const lazyImports = new Set<string>();
    const danglingRelativeImports = new Set<string>();
    const importPattern = /^import\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm;
    for (const file of bundleFiles.filter((f) => f.endsWith('.mjs'))) {
      for (const match of readFileSync(path.join(functionsDir, file), 'utf8').matchAll(importPattern)) {
        const specifier = (match[1] ?? match[2] ?? match[3])!;
        if (specifier.startsWith('.')) {
          const inZip = existsSync(path.resolve(functionsDir, path.dirname(file), specifier));
          if (!inZip && !UNBUNDLED_RELATIVE_IMPORT.test(specifier)) danglingRelativeImports.add(specifier);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
          (match[3] === undefined ? staticImports : lazyImports).add(specifier);
        }
      }
    }

    expect(bundleFiles.filter((f) => f.endsWith('.mjs')), 'one bundle, no chunks').toEqual([`${name}.mjs`]);
    for (const pkg of [...BUNDLED_PACKAGES, ...BUNDLED_PER_FUNCTION[name].packages]) expect(bundledPackages, `${pkg} bundled`).toContain(pkg);
    expect(sources.some((s) => s.endsWith(BUNDLED_PER_FUNCTION[name].job))).toBe(true);
    expect([...staticImports].sort()).toEqual(STATIC_EXTERNAL_IMPORTS);
    expect([...lazyImports].filter((s) => !LAZY_EXTERNAL_IMPORTS.has(s))).toEqual([]);
    expect([...danglingRelativeImports]).toEqual([]);
  });
});

describe('the bundled handlers, run from the unzipped packages alone', () => {
  /** What Lambda gives the process, minus AWS itself; NODE_PATH unset, so only the zip's node_modules resolve. */
  function lambdaLikeEnv(name: FunctionName, extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: unzippedDirs[name],
      TZ: ':UTC',
      NODE_OPTIONS: '--enable-source-maps',
      CANDLELAKE_CACHE_DIR: scratchDir('candlelake-cache-'),
      ...extra,
    };
  }

  /** Imports `functions/<name>.mjs` from the unzipped package in a fresh process and invokes its handler once. */
  async function invokeBundled(name: FunctionName, extraEnv: Record<string, string>): Promise<unknown> {
    const handlerUrl = pathToFileURL(path.join(unzippedDirs[name], 'functions', `${name}.mjs`)).href;
    const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} };
    const functionName = `candlelake-dev-${name}`;
    const context = { functionName, functionVersion: '$LATEST', memoryLimitInMB: '1536', awsRequestId: randomUUID(), invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}` };
    const script = [
      `const m = await import(${JSON.stringify(handlerUrl)});`,
      `const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 900000 };`,
      `const result = await m.handler(${JSON.stringify(event)}, context);`,
      `console.log('RESULT ' + JSON.stringify(result));`,
      'process.exit(0);',
    ].join('\n');

    const child = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratchDir('candlelake-cwd-'),
      env: lambdaLikeEnv(name, extraEnv),
    });

    const resultLine = child.stdout.split('\n').find((line) => line.startsWith('RESULT '));
    expect(resultLine, `${name}: exit ${child.code}\n${tail(child.stderr)}\n${tail(child.stdout)}`).toBeDefined();
    return JSON.parse(resultLine!.slice('RESULT '.length)) as unknown;
  }

  it.each(FUNCTIONS)('%s imports (DuckDB native binding included) and exports a handler function', async (name) => {
    const handlerUrl = pathToFileURL(path.join(unzippedDirs[name], 'functions', `${name}.mjs`)).href;
    const script = `const m = await import(${JSON.stringify(handlerUrl)}); console.log(JSON.stringify({ handler: typeof m.handler }));`;

    const result = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratchDir('candlelake-cwd-'),
      env: lambdaLikeEnv(name, { CANDLELAKE_LAKE: `file://${scratchDir('candlelake-lake-')}` }),
    });

    expect(result.code, tail(result.stderr)).toBe(0);
    expect(JSON.parse(tail(result.stdout, 1))).toEqual({ handler: 'function' });
  });

  describe('invoked by a scheduled event', () => {
    let standIn: BinanceStandIn;
    beforeAll(async () => {
      standIn = await startBinanceStandIn();
    });
    afterAll(async () => {
      await standIn.close();
    });

    /** The settings both jobs share: the lake on moto, the stand-in, one symbol's daily candles. */
    function jobEnv(bucket: string, endpoint: string): Record<string, string> {
      return {
        CANDLELAKE_LAKE: `s3://${bucket}/`,
        CANDLELAKE_BINANCE_URL: standIn.url,
        CANDLELAKE_SYMBOLS: 'BTC/USDT',
        CANDLELAKE_TIMEFRAMES: '1d',
        CANDLELAKE_RATE_LIMIT_SHARE: '1',
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'WARN',
      };
    }

    it('update writes Parquet into an S3 lake on moto from the Binance stand-in', async () => {
      const endpoint = useAwsEndpoint();
      const s3 = s3ClientForTests();
      const bucket = await createTestBucket({ prefix: 'deploy-lake', client: s3, versioning: true });

      const result = await invokeBundled('update', jobEnv(bucket, endpoint));

      const outcome = result as { outcome: string; candlesWritten: number; failures: number };
      expect(outcome).toMatchObject({ outcome: 'succeeded', failures: 0 });
      expect(outcome.candlesWritten).toBeGreaterThan(300); // a year of daily candles, the first run's lookback
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const parquetKeys = (listed.Contents ?? []).map((o) => o.Key!).filter((key) => key.endsWith('.parquet'));
      expect(parquetKeys.some((key) => key.includes('ohlcv'))).toBe(true);
    });

    it('validate, after update filled the lake, answers OK, stores its report and publishes ValidateStatus 0 to moto CloudWatch', async () => {
      // Arrange: a lake the bundled update handler just filled (stand-in and both jobs on the wall clock, so nothing is stale).
      const endpoint = useAwsEndpoint();
      const s3 = s3ClientForTests();
      const bucket = await createTestBucket({ prefix: 'deploy-validate', client: s3, versioning: true });
      expect(await invokeBundled('update', jobEnv(bucket, endpoint))).toMatchObject({ outcome: 'succeeded' });
      // A namespace of this test's own: moto matches GetMetricStatistics dimensions loosely.
      const namespace = `candlelake-deploy-${randomUUID()}`;

      // Act
      const result = await invokeBundled('validate', {
        ...jobEnv(bucket, endpoint),
        CANDLELAKE_METRICS: 'cloudwatch',
        CANDLELAKE_METRICS_NAMESPACE: namespace,
      });

      // Assert
      expect(result).toEqual({ runId: expect.stringMatching(/^validate-/), status: 'OK', findings: 0, staleSeries: 0, repaired: 0 });
      const { runId } = result as { runId: string };
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'quality/reports/' }));
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
        expect.stringMatching(new RegExp(`^quality/reports/date=\\d{4}-\\d\\d-\\d\\d/${runId}\\.json$`)),
        'quality/reports/latest.json',
      ]);
      const stats = await createCloudWatchClient().send(
        new GetMetricStatisticsCommand({
          Namespace: namespace,
          MetricName: 'ValidateStatus',
          Dimensions: [{ Name: 'exchange', Value: 'binance' }],
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 3_600_000),
          Period: 86_400,
          Statistics: ['SampleCount', 'Maximum'],
        }),
      );
      expect(stats.Datapoints).toMatchObject([{ SampleCount: 1, Maximum: 0 }]);
    });
  });
});
