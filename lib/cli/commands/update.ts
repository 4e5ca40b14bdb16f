/** `candlelake update`: runs the update job once, from the command line. */
import type { Command } from 'commander';
import { TIMEFRAMES, type Timeframe } from '../../config/universe.ts';
import { optionalTimeFlag } from '../time-flag.ts';
import { runUpdate, type UpdateResult } from '../../update/index.ts';
import { createUpdateDeps } from '../../update/create-deps.ts';
import { systemClock } from '../../clock/index.ts';
import { publishJobFindings } from '../../notify/job-alerts.ts';
import { updateAlertFindings } from '../../notify/update-findings.ts';
import { alertSenderFromEnv } from '../../notify/telegram-alert-sender.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { action, cliContext, splitFlagList, type CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { createProgress } from '../progress.ts';

export interface UpdateFlags {
  since?: string;
  symbols?: string;
  timeframes?: string;
}

/** Text lines for a finished update run. */
export function formatUpdateResult(record: UpdateResult): string {
  const d = record.details;
  const runWide = d.failures.find((f) => f.symbol === '*');
  if (runWide) return `update ${record.runId} failed: ${runWide.reason}`;
  const lines = [`update ${record.runId}: ${record.summary}`];
  for (const finding of d.findings) lines.push(`  ${finding.severity}: ${finding.text}`);
  for (const failure of d.failures) lines.push(`  failed ${failure.symbol}${failure.timeframe ? ` ${failure.timeframe}` : ''}: ${failure.reason}`);
  return lines.join('\n');
}

export function exitCodeFor(record: UpdateResult): number {
  switch (record.outcome) {
    case 'succeeded':
    case 'skipped':
      return EXIT.ok;
    case 'partial':
      return EXIT.partial;
    default:
      return EXIT.failed;
  }
}

/** Runs the job with a progress bar on a terminal; shared by `update`, `once` and `resync` (its trigger). */
export async function runUpdateFromCli(ctx: CliContext, flags: UpdateFlags, trigger = 'cli'): Promise<UpdateResult> {
  const sinceMs = optionalTimeFlag('--since', flags.since, Date.now());
  const progress = createProgress('update', !ctx.json);
  try {
    const deps = createUpdateDeps(ctx.config, ctx.logger, {
      onProgress: (p) => progress.update(p.seriesDone, p.seriesTotal, p.lastSeries),
    });
    return await runUpdate(deps, { trigger, ...(sinceMs !== undefined ? { sinceMs } : {}) });
  } finally {
    progress.stop();
  }
}

/** Which flag set which config field, for error messages. */
export function universeFlagSources(flags: UpdateFlags): Record<string, string> {
  return {
    ...(flags.symbols ? { 'universe.symbols': '--symbols' } : {}),
    ...(flags.timeframes ? { 'universe.timeframes': '--timeframes' } : {}),
  };
}

/** The run's findings (and per-series failures, as one WARNING) as alerts; a skipped run reports nothing. */
export async function publishUpdateAlerts(ctx: CliContext, record: UpdateResult): Promise<void> {
  const findings = updateAlertFindings(record);
  if (!findings) return;
  await publishJobFindings(
    { store: openObjectStore(ctx.config.lake), clock: systemClock, logger: ctx.logger, sender: alertSenderFromEnv(process.env, ctx.logger) },
    'update', record.runId, findings,
  );
}

/** Turns `--symbols`/`--timeframes` into configuration overrides. */
export function universeOverrides(flags: UpdateFlags) {
  return {
    universe: {
      ...(flags.symbols ? { symbols: splitFlagList(flags.symbols) } : {}),
      ...(flags.timeframes ? { timeframes: splitFlagList(flags.timeframes) as Timeframe[] } : {}),
    },
  };
}

export function addUniverseFlags(command: Command): Command {
  return command
    .option('--since <time>', 'backfill from this time: YYYY-MM-DD, an ISO time (UTC unless zoned), or relative (-7d, -48h)')
    .option('--symbols <list>', 'comma-separated symbols, e.g. BTC/USDT,ETH/USDT (default: the configured universe)')
    .option('--timeframes <list>', `comma-separated timeframes among ${TIMEFRAMES.join(', ')}`);
}

export function registerUpdate(program: Command): void {
  addUniverseFlags(program.command('update').description('fetch new closed candles for every symbol and timeframe into the lake'))
    .action(
      action(async (flags: UpdateFlags, command: Command) => {
        const ctx = cliContext(command, universeOverrides(flags), { quietLogs: Boolean(process.stderr.isTTY), overrideSources: universeFlagSources(flags) });
        const record = await runUpdateFromCli(ctx, flags);
        ctx.print(record, formatUpdateResult(record));
        await publishUpdateAlerts(ctx, record);
        return exitCodeFor(record);
      }),
    );
}
