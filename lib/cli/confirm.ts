/**
 * Confirmation before a destructive command (restore, rollback, compact). On a terminal the
 * person types "yes"; without one (cron, a script) the command refuses unless `--yes` says the
 * caller meant it — a pipe cannot answer, and guessing "yes" for it would be the dangerous default.
 */
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../config/errors.ts';

export interface ConfirmFlags {
  yes?: boolean;
  dryRun?: boolean;
}

/**
 * True when the command may go ahead; false when the person declined.
 * @example if (!(await confirmDestructive(flags, 'restore 1,204 objects into s3://lake'))) return EXIT.ok;
 */
export async function confirmDestructive(flags: ConfirmFlags, what: string, io: { input?: NodeJS.ReadableStream & { isTTY?: boolean }; output?: NodeJS.WritableStream } = {}): Promise<boolean> {
  if (flags.dryRun || flags.yes) return true;
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stderr;
  if (!input.isTTY) throw new ConfigError(`refusing to ${what} without confirmation: pass --yes (or --dry-run to see the plan)`, ['yes']);
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`About to ${what}. Type "yes" to go ahead: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
