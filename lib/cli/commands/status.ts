/** `candlelake status`: the health probe, exit 0 OK, 1 WARNING, 2 CRITICAL. */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { cloudWatchFiringAlarms } from '../../status/cloudwatch-alarms.ts';
import { collectStatus, formatStatus, healthExitCode } from '../../status/index.ts';
import { action, cliContext } from '../context.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('health probe: each job on time, backtest heartbeat, data freshness, open alerts; exit 0/1/2')
    .option('--alarms <prefix>', "also count the stack's CloudWatch alarms in ALARM whose names start with <prefix> (e.g. candlelake-prod-)")
    .action(
      action(async (flags: { alarms?: string }, command: Command) => {
        const ctx = cliContext(command);
        const report = await collectStatus(openObjectStore(ctx.config.lake), systemClock, flags.alarms ? { firingAlarms: cloudWatchFiringAlarms(flags.alarms) } : {});
        ctx.print(report, formatStatus(report));
        return healthExitCode(report.status);
      }),
    );
}
