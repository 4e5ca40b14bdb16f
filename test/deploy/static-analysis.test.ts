/**
 * Static analysis of the CloudFormation template `serverless package --stage dev` builds offline:
 * cfn-lint must report no error (warnings and informational findings are not failures), and
 * checkov no failed check other than the suppressions below. cfn-lint comes from the harness
 * venv (test/harness/requirements.txt), checkov from a venv of its own
 * (test/harness/requirements-checkov.txt). Every suppression is listed with its reason in
 * docs/static-analysis.md; a suppression that no longer matches a finding fails the test, so the
 * list cannot outlive its reason unnoticed.
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCheckovVenv, ensureHarnessVenv, PROJECT_DIR } from '../harness/python-venv.ts';
import { PACKAGE_TIMEOUT_S, packageOnce, run, tail } from './package-once.ts';

/** A checkov check that does not apply to some resources of this stack, and why. */
export interface CheckovSuppression {
  check: string;
  /** Logical ids of the resources it is suppressed on. */
  resources: string[];
  reason: string;
}

const JOB_FUNCTIONS = ['UpdateLambdaFunction', 'ValidateLambdaFunction', 'SentimentLambdaFunction', 'BackupLambdaFunction', 'DigestLambdaFunction'];
const ALL_FUNCTIONS = [...JOB_FUNCTIONS, 'BacktestRecoveryLambdaFunction', 'StatusLambdaFunction', 'NotifierLambdaFunction'];
const LOG_GROUPS = ['UpdateLogGroup', 'ValidateLogGroup', 'BacktestRecoveryLogGroup', 'SentimentLogGroup', 'BackupLogGroup', 'DigestLogGroup', 'StatusLogGroup', 'NotifierLogGroup', 'BacktestLogGroup'];
const DLQS = ['UpdateDlq', 'ValidateDlq', 'SentimentDlq', 'BackupDlq', 'DigestDlq', 'BacktestRecoveryDlq', 'NotifierDlq'];

/** Keep in step with docs/static-analysis.md. */
export const CHECKOV_SUPPRESSIONS: CheckovSuppression[] = [
  {
    check: 'CKV_AWS_18',
    resources: ['LakeBucket', 'BackupBucket', 'ServerlessDeploymentBucket'],
    reason: 'S3 server access logging needs a separate log bucket (and its own retention) for a single-user stack; access is through IAM roles of this stack only and CloudTrail records the management calls.',
  },
  {
    check: 'CKV_AWS_158',
    resources: LOG_GROUPS,
    reason: 'CloudWatch Logs encrypts every log group at rest already; a customer managed KMS key adds cost and a key policy to maintain, and the logs hold no secrets.',
  },
  {
    check: 'CKV_AWS_27',
    resources: DLQS,
    reason: 'The queues are encrypted with SQS managed keys (SqsManagedSseEnabled: true); checkov 3.3.30 recognises only KmsMasterKeyId.',
  },
  {
    check: 'CKV_AWS_116',
    resources: [...JOB_FUNCTIONS, 'BacktestRecoveryLambdaFunction', 'NotifierLambdaFunction'],
    reason: 'Failed asynchronous invocations go to an SQS on-failure destination (EventInvokeConfig, with DLQ alarms), which checkov does not recognise; a DeadLetterConfig would duplicate it.',
  },
  {
    check: 'CKV_AWS_116',
    resources: ['StatusLambdaFunction'],
    reason: 'Invoked synchronously only (no event source): the caller gets the error, and a dead-letter queue applies to asynchronous invocations only.',
  },
  {
    check: 'CKV_AWS_117',
    resources: ALL_FUNCTIONS,
    reason: 'The functions reach public endpoints (exchange APIs, Telegram) and AWS APIs, and no private resources; a VPC would add NAT gateways or endpoints and cost with nothing to protect inside it.',
  },
  {
    check: 'CKV_AWS_115',
    resources: JOB_FUNCTIONS.concat(['StatusLambdaFunction', 'NotifierLambdaFunction']),
    reason: 'Scheduled or rare invocations that never approach the account limit; reserving concurrency would take from the account pool (new accounts with a quota of 10 cannot reserve at all). backtestRecovery reserves 1 because it must run alone.',
  },
  {
    check: 'CKV_AWS_173',
    resources: ALL_FUNCTIONS,
    reason: 'The environment holds no secrets (the Telegram token and FRED key are read from SSM at run time); Lambda encrypts environment variables at rest with its AWS managed key.',
  },
];

interface CfnLintMatch {
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path: Array<string | number> };
}

interface CheckovFailure {
  check_id: string;
  resource: string;
  check_name: string;
}

interface CheckovReport {
  summary: { failed: number; passed: number; parsing_errors: number; resource_count: number };
  results: { failed_checks: CheckovFailure[] };
}

let outDir: string;
let templatePath: string;
let bin: string;
let checkov: string;

beforeAll(async () => {
  [bin, checkov, { outDir }] = await Promise.all([ensureHarnessVenv(), ensureCheckovVenv(), packageOnce()]);
  templatePath = path.join(outDir, 'cloudformation-template-update-stack.json');
}, (2 * PACKAGE_TIMEOUT_S + 600) * 1000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The logical id in checkov's resource name ('AWS::S3::Bucket.LakeBucket' → 'LakeBucket'). */
const logicalId = (checkovResource: string): string => checkovResource.slice(checkovResource.lastIndexOf('.') + 1);

const suppressed = (failure: CheckovFailure): CheckovSuppression | undefined =>
  CHECKOV_SUPPRESSIONS.find((s) => s.check === failure.check_id && s.resources.includes(logicalId(failure.resource)));

describe('static analysis of the packaged template', () => {
  it('cfn-lint reports no error', async () => {
    const lint = await run(path.join(bin, 'cfn-lint'), ['--format', 'json', templatePath], { cwd: PROJECT_DIR, env: process.env });
    // Exit status is a bit mask (2 error, 4 warning, 8 informational); 1 means cfn-lint itself failed.
    expect(lint.code === null || (lint.code & 1) === 1, tail(lint.stderr)).toBe(false);
    const matches = JSON.parse(lint.stdout) as CfnLintMatch[];
    const errors = matches.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Location.Path.join('/')}: ${m.Message}`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('checkov fails no check except the listed suppressions, and every suppression is still needed', async () => {
    const scan = await run(
      checkov,
      ['-f', templatePath, '--framework', 'cloudformation', '--compact', '--skip-download', '--output', 'json'],
      { cwd: PROJECT_DIR, env: process.env },
    );
    // 0: all passed, 1: some failed; anything else is checkov itself failing.
    expect([0, 1], tail(scan.stderr)).toContain(scan.code);
    const report = JSON.parse(scan.stdout) as CheckovReport;
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.resource_count).toBeGreaterThan(50);

    const failures = report.results.failed_checks;
    const unexpected = failures.filter((f) => !suppressed(f)).map((f) => `${f.check_id} ${f.resource}: ${f.check_name}`);
    expect(unexpected).toEqual([]);

    const stale = CHECKOV_SUPPRESSIONS.flatMap((s) => s.resources.filter((id) => !failures.some((f) => f.check_id === s.check && logicalId(f.resource) === id)).map((id) => `${s.check} ${id}`));
    expect(stale, 'suppressions that match no finding any more: remove them here and in docs/static-analysis.md').toEqual([]);
  }, 180_000);

  it('every suppression says why', () => {
    for (const s of CHECKOV_SUPPRESSIONS) {
      expect(s.check).toMatch(/^CKV2?_AWS_\d+$/);
      expect(s.resources.length).toBeGreaterThan(0);
      expect(s.reason.length, s.check).toBeGreaterThan(40);
    }
  });
});
