/** Runs the real `candlelake` CLI (bin/candlelake.js) in a child process, as a user would. */
import { startCliProcess, type CliExit, type CliProcess } from './cli-process.ts';
import { recordCapturedOutput } from './secret-log-guard.ts';

export { CLI_PATH, type CliExit, type CliProcess } from './cli-process.ts';

/**
 * Starts `candlelake <args>` with `env` added to this process's environment; its output goes to the
 * secret guard too.
 * @example const { done } = startCli(['lake', '--json'], { CANDLELAKE_LAKE: 'file:///tmp/lake' });
 */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const command = `cli ${args.find((arg) => !arg.startsWith('-')) ?? ''}`;
  return startCliProcess(args, env, (stdout, stderr) => {
    recordCapturedOutput(stdout, `${command} stdout`);
    recordCapturedOutput(stderr, `${command} stderr`);
  });
}

/** Runs the CLI to the end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliExit> {
  return startCli(args, env).done;
}
