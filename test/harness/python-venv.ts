/**
 * Makes sure the Python venvs of the test harness exist and match their requirements files, so
 * `npm test` works on a fresh clone and after a change of those files: the project's own files
 * install what the tests need. `.venv` holds moto and cfn-lint (test/harness/requirements.txt);
 * `.venv/checkov` holds checkov (test/harness/requirements-checkov.txt).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The repository root (two folders above this file). */
export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Written into a venv after a successful install: the SHA-256 of the requirements file installed. */
const STAMP_NAME = '.candlelake-requirements.sha256';

/**
 * Returns the `bin` folder of the venv `venvDir`, creating it if it is missing and installing
 * `requirements` whenever that file differs from the one last installed there (a stamp in the venv
 * holds its hash), so an existing venv picks up a changed requirements file. Otherwise it returns
 * at once (one file read and hash).
 */
async function ensureVenv(venvDir: string, requirements: string, cwd: string): Promise<string> {
  const binDir = path.join(venvDir, 'bin');
  const stamp = path.join(venvDir, STAMP_NAME);
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return binDir;

  const python = path.join(binDir, 'python');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venvDir], cwd);
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], cwd);
  writeFileSync(stamp, `${wanted}\n`);
  return binDir;
}

/**
 * The harness venv `.venv` (moto, cfn-lint) from test/harness/requirements.txt, up to date with it;
 * returns its `bin` folder.
 *
 * @example
 * const bin = await ensureHarnessVenv(); // '/work/main/.venv/bin'
 */
export function ensureHarnessVenv(projectDir: string = PROJECT_DIR): Promise<string> {
  return ensureVenv(path.join(projectDir, '.venv'), path.join(projectDir, 'test', 'harness', 'requirements.txt'), projectDir);
}

/**
 * checkov's own venv `.venv/checkov` from test/harness/requirements-checkov.txt (checkov pins a
 * boto3 that moto cannot share); returns the path of its `checkov`.
 *
 * @example
 * const checkov = await ensureCheckovVenv(); // '/work/main/.venv/checkov/bin/checkov'
 */
export async function ensureCheckovVenv(projectDir: string = PROJECT_DIR): Promise<string> {
  const bin = await ensureVenv(path.join(projectDir, '.venv', 'checkov'), path.join(projectDir, 'test', 'harness', 'requirements-checkov.txt'), projectDir);
  const checkov = path.join(bin, 'checkov');
  if (!existsSync(checkov)) throw new Error(`pip finished but ${checkov} is still missing`);
  return checkov;
}

/**
 * Returns the path of `moto_server`, installing the harness venv first when needed (see
 * `ensureHarnessVenv`).
 *
 * @example
 * const motoServer = await ensureMotoVenv(); // '/work/main/.venv/bin/moto_server'
 */
export async function ensureMotoVenv(projectDir: string = PROJECT_DIR): Promise<string> {
  const motoServer = path.join(await ensureHarnessVenv(projectDir), 'moto_server');
  if (!existsSync(motoServer)) throw new Error(`pip finished but ${motoServer} is still missing`);
  return motoServer;
}

/** Runs a command, failing with its full output so a broken install explains itself. */
async function run(command: string, args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}
