/** `candlelake status`: the health probe, exit 0 OK, 1 WARNING, 2 CRITICAL. */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { collectStatus, formatStatus, healthExitCode } from '../../status/index.ts';
import { action, cliContext } from '../context.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('health probe: each job on time, backtest heartbeat, data freshness, open alerts; exit 0/1/2')
    .action(
      action(async (_flags: unknown, command: Command) => {
        const ctx = cliContext(command);
        const report = await collectStatus(openObjectStore(ctx.config.lake), systemClock);
        ctx.print(report, formatStatus(report));
        return healthExitCode(report.status);
      }),
    );
}
