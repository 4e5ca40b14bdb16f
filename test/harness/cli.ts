/** Runs the real `candlelake` CLI (bin/candlelake.js) in a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { recordCapturedOutput } from './secret-log-guard.ts';

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
 * Starts `candlelake <args>` with `env` added to this process's environment.
 * @example const { done } = startCli(['lake', '--json'], { CANDLELAKE_LAKE: 'file:///tmp/lake' });
 */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const command = `cli ${args.find((arg) => !arg.startsWith('-')) ?? ''}`;
  child.on('close', () => (recordCapturedOutput(stdout, `${command} stdout`), recordCapturedOutput(stderr, `${command} stderr`)));
  const done = new Promise<CliExit>((ok) => child.on('exit', (code, signal) => ok({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliExit> {
  return startCli(args, env).done;
}
