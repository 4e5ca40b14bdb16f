/** `candlelake backtest-task`: the daily backtest in this process (what the daemon supervises and Fargate runs). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { runTaskProcess } from '../../backtest-task/process.ts';

export function registerBacktestTask(program: Command): void {
  program
    .command('backtest-task')
    .description('run (or resume) the daily backtest units of this shard; exit 0 done, 5 interrupted, see README')
    .option('--shard <i/N>', 'run every N-th unit starting at i (0-based)')
    .addOption(new Option('--drill <kind>', 'failure drill: crash, hang or fail').choices(['crash', 'hang', 'fail']).hideHelp())
    .action(async (flags: { shard?: string; drill?: 'crash' | 'hang' | 'fail' }, command: Command) => {
      const global = command.optsWithGlobals<{ config?: string; lake?: string }>();
      if (global.lake) process.env.CANDLELAKE_LAKE = global.lake;
      process.exitCode = await runTaskProcess({ ...flags, ...(global.config ? { config: global.config } : {}) });
    });
}
