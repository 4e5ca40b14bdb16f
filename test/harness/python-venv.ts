/**
 * Makes sure the Python venv that holds moto exists, so `npm test` works on a fresh clone:
 * the project's own files install what the tests need (see test/harness/requirements.txt).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The repository root (two folders above this file). */
export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Returns the path of `moto_server`, creating `.venv` and installing requirements.txt first
 * if it is missing. When the binary is there it returns at once (one `existsSync`).
 *
 * @example
 * const motoServer = await ensureMotoVenv(); // '/work/main/.venv/bin/moto_server'
 */
export async function ensureMotoVenv(projectDir: string = PROJECT_DIR): Promise<string> {
  const venvDir = path.join(projectDir, '.venv');
  const motoServer = path.join(venvDir, 'bin', 'moto_server');
  if (existsSync(motoServer)) return motoServer;

  const python = path.join(venvDir, 'bin', 'python');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venvDir], projectDir);
  await run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', path.join(projectDir, 'test', 'harness', 'requirements.txt')],
    projectDir,
  );
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
