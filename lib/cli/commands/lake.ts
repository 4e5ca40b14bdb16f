/** `candlelake lake` shows what the lake holds; `candlelake once` updates it and then shows it. */
import type { Command } from 'commander';
import { formatLakeSummary, summarizeLake } from '../../lake/summary.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { action, cliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { addUniverseFlags, exitCodeFor, formatUpdateResult, publishUpdateAlerts, runUpdateFromCli, universeFlagSources, universeOverrides, type UpdateFlags } from './update.ts';

export function registerLake(program: Command): void {
  program
    .command('lake')
    .description('summarize what the lake holds: series, candles, time span, objects, bytes')
    .action(
      action(async (_flags: unknown, command: Command) => {
        const ctx = cliContext(command);
        const summary = await summarizeLake(openObjectStore(ctx.config.lake), ctx.config.cacheDir);
        ctx.print(summary, formatLakeSummary(summary));
        return EXIT.ok;
      }),
    );

  addUniverseFlags(program.command('once').description('run the update job once, then show what the lake holds (the main job until the daemon lands)'))
    .action(
      action(async (flags: UpdateFlags, command: Command) => {
        const ctx = cliContext(command, universeOverrides(flags), { quietLogs: Boolean(process.stderr.isTTY), overrideSources: universeFlagSources(flags) });
        const record = await runUpdateFromCli(ctx, flags);
        await publishUpdateAlerts(ctx, record);
        const exitCode = exitCodeFor(record);
        if (record.outcome === 'failed' && record.details.series.length === 0) {
          ctx.print({ update: record }, formatUpdateResult(record));
          return exitCode;
        }
        const summary = await summarizeLake(openObjectStore(ctx.config.lake), ctx.config.cacheDir);
        ctx.print({ update: record, lake: summary }, `${formatUpdateResult(record)}\n\n${formatLakeSummary(summary)}`);
        return exitCode;
      }),
    );
}
