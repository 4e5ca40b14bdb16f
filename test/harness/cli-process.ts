/**
 * The real `candlelake` CLI (bin/candlelake.js) in a child process, as a user or the daemon runs it.
 * No vitest here, so `npm run chaos` can use it too; tests use ./cli.ts, which also hands the
 * output to the secret guard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_PATH = resolve(import.meta.dirname, '../../bin/candlelake.js');

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliExit>;
}

/**
 * Starts `candlelake <args>` with `env` added to this process's environment; `onClose` gets the
 * whole output once the streams are closed.
 * @example const { done } = startCliProcess(['lake', '--json'], { CANDLELAKE_LAKE: 'file:///tmp/lake' });
 */
export function startCliProcess(args: string[], env: Record<string, string> = {}, onClose?: (stdout: string, stderr: string) => void): CliProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (onClose) child.on('close', () => onClose(stdout, stderr));
  // On 'exit', not 'close': the daemon's backtest child inherits the pipes and may outlive it.
  const done = new Promise<CliExit>((ok) => child.on('exit', (code, signal) => ok({ code, signal, stdout, stderr })));
  return { child, done };
}
