/**
 * `serverless package --stage dev`, offline, for the deploy tests: once per test process, and never
 * two at a time on this checkout. serverless-esbuild builds in the project's own `.esbuild/` and
 * deletes it afterwards, so two test files packaging at once (vitest runs files in parallel
 * processes) would delete each other's build. A lock directory beside the system temp files
 * serialises them; each file still gets its own output directory, so neither sees the other's zips.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_DIR } from '../harness/python-venv.ts';
import { recordCapturedOutput } from '../harness/secret-log-guard.ts';
import { isProcessAlive } from '../../lib/daemon/pid-lock.ts';

/** Upper bound for one `serverless package` (it takes ~5 s). */
export const PACKAGE_TIMEOUT_S = 300;
/** How long a file waits for another one's packaging before giving up. */
const LOCK_WAIT_MS = 2 * PACKAGE_TIMEOUT_S * 1000;
const LOCK_POLL_MS = 250;

export type Json = Record<string, unknown>;

/** One resource of the CloudFormation template. */
export interface CfnResource {
  Type: string;
  Properties: Json;
  DependsOn?: string[];
  DeletionPolicy?: string;
  Condition?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What `serverless package` produced: its output directory (zips, template) and the parsed template. */
export interface PackagedService {
  outDir: string;
  template: CfnTemplate;
  /** Wall time of the packaging itself, lock wait excluded. */
  packageMs: number;
}

/**
 * Runs a command to completion without blocking this process (a stand-in may need to keep answering).
 * @example const { code, stdout } = await run('node', ['--version'], { cwd: PROJECT_DIR, env: process.env });
 */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  const startedMs = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => (recordCapturedOutput(stdout, `${path.basename(command)} stdout`), recordCapturedOutput(stderr, `${path.basename(command)} stderr`)));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - startedMs }));
  });
}

/**
 * The last `lines` lines of a process's output, for assertion messages.
 * @example tail(result.stderr, 5)
 */
export function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * The environment of a CI runner with no AWS access: no credentials, no endpoint, no profile.
 * @example await run('npx', ['serverless', 'package'], { cwd: PROJECT_DIR, env: offlineEnv() });
 */
export function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('SLS_') && !name.startsWith('SERVERLESS_')) env[name] = value;
  }
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    CI: '1',
  };
}

/**
 * Runs `work` while holding a lock directory; takes over a lock whose holder process is gone. Every
 * command that builds with serverless-esbuild (package, deploy) runs under it.
 */
async function withPackagingLock<T>(work: () => Promise<T>): Promise<T> {
  // In the checkout, not under TMPDIR: each test run has a TMPDIR of its own, and two runs on one
  // checkout share .esbuild/.
  mkdirSync(path.join(PROJECT_DIR, '.cache'), { recursive: true });
  const lockDir = path.join(PROJECT_DIR, '.cache', 'serverless-package.lock');
  const ownerFile = path.join(lockDir, 'pid');
  const deadlineMs = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
      // A holder that died mid-packaging (killed test run) leaves the lock behind. A lock without
      // a pid file yet is one being taken right now: wait for it like any other.
      if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadlineMs) throw new Error(`waited ${LOCK_WAIT_MS} ms for ${lockDir} (held by pid ${owner})`, { cause: error });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * `npx serverless <args>` under the packaging lock and `timeout`, with a temporary directory of its
 * own: serverless-esbuild copies each function's files (~100 MB with DuckDB) into the system temp
 * directory to zip them and leaves them there, ~800 MB per run.
 * @example await runServerless(['package', '--stage', 'dev'], 300, offlineEnv());
 */
export function runServerless(args: string[], timeoutS: number, env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return withPackagingLock(async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'candlelake-serverless-tmp-'));
    try {
      return await run('timeout', [String(timeoutS), 'npx', 'serverless', ...args], { cwd: PROJECT_DIR, env: { ...env, TMPDIR: scratch } });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

let packaged: Promise<PackagedService> | undefined;

/**
 * Packages the service for stage `dev` into a fresh temporary directory, the first time it is
 * called in this process; later calls get the same result. The caller removes `outDir`.
 * @example const { outDir, template } = await packageOnce();
 */
export function packageOnce(): Promise<PackagedService> {
  packaged ??= (async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'candlelake-package-'));
    const packaging = await runServerless(['package', '--stage', 'dev', '--package', outDir], PACKAGE_TIMEOUT_S, offlineEnv());
    const templatePath = path.join(outDir, 'cloudformation-template-update-stack.json');
    if (packaging.code !== 0 || !existsSync(templatePath)) {
      throw new Error(`serverless package exited ${packaging.code} after ${packaging.ms} ms:\n${tail(packaging.stderr)}\n${tail(packaging.stdout)}`);
    }
    return { outDir, template: JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate, packageMs: packaging.ms };
  })();
  return packaged;
}

/**
 * The logical id of the role a function's `Role` names: `!Sub '${XRole.Arn}'` (how serverless.yml
 * writes it) or `!GetAtt XRole.Arn`.
 * @example functionRoleId(template.Resources.UpdateLambdaFunction.Properties.Role) // 'UpdateRole'
 */
export function functionRoleId(role: unknown): string {
  const getAtt = (role as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return getAtt[0];
  const sub = (role as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  const match = typeof sub === 'string' ? /^\$\{(\w+)\.Arn\}$/.exec(sub) : null;
  if (!match) throw new Error(`not a reference to a role's ARN: ${JSON.stringify(role)}`);
  return match[1]!;
}

/**
 * Extracts a function's zip into `dir` with Python's zipfile module (no unzip binary needed).
 * @example await unzipPackage(path.join(outDir, 'update.zip'), dir);
 */
export async function unzipPackage(zip: string, dir: string): Promise<void> {
  const unzip = await run('python3', ['-m', 'zipfile', '-e', zip, dir], { cwd: path.dirname(zip), env: process.env });
  if (unzip.code !== 0) throw new Error(`unzip of ${path.basename(zip)} failed: ${unzip.stderr}`);
}
