/** `candlelake demo`: one full offline cycle (every job once) against the local replay exchange. */
import type { Command } from 'commander';
import { DEFAULT_SYMBOLS } from '../../config/universe.ts';
import { ConfigError } from '../../config/errors.ts';
import { runDemo } from '../../demo/index.ts';
import type { LogLevel } from '../../logging/console-logger.ts';
import { action, type GlobalOptions } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

interface DemoFlags {
  dir: string;
  symbols: string;
  days: string;
  seed: string;
}

function integerFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`Invalid option ${name}: "${value}" (an integer in ${min}..${max})`, [name]);
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('one full offline cycle (update, validate, sentiment, backtest, backup, digest) against a local replay exchange with SYNTHETIC data')
    .option('--dir <folder>', 'where the lake, backup, config and report go', './demo')
    .option('--symbols <n>', `how many symbols of the default universe (${DEFAULT_SYMBOLS.length} = all)`, '10')
    .option('--days <n>', 'days of history to backfill', '365')
    .option('--seed <n>', 'seed of the synthetic market', '1')
    .action(
      action(async (flags: DemoFlags, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const result = await runDemo(
          {
            dir: flags.dir,
            symbols: integerFlag('--symbols', flags.symbols, 1, DEFAULT_SYMBOLS.length),
            days: integerFlag('--days', flags.days, 7, 3650),
            seed: integerFlag('--seed', flags.seed, 0, 2 ** 31 - 1),
            logLevel: (global.logLevel ?? (process.env.CANDLELAKE_LOG_LEVEL as LogLevel | undefined) ?? 'warn'),
          },
          // With --json the progress lines go to stderr and stdout carries only the result.
          (line) => (global.json ? process.stderr : process.stdout).write(`${line}\n`),
        );
        if (global.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );
}
