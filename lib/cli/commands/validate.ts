/** `candlelake validate`: the validate job once, a compact symbols × timeframes table, exit code by severity. */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { exchangeFromConfig } from '../../exchange/from-config.ts';
import { metricsSinkFromEnv } from '../../metrics/index.ts';
import { publishJobFindings } from '../../notify/job-alerts.ts';
import { alertSenderFromEnv } from '../../notify/telegram-alert-sender.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { exitCodeForStatus, runValidate, type ValidateReport } from '../../validate/index.ts';
import { coverageSummaryLine } from '../../validate/rules/coverage.ts';
import type { Severity } from '../../validate/rules/types.ts';
import { action, cliContext } from '../context.ts';
import { addUniverseFlags, universeFlagSources, universeOverrides, type UpdateFlags } from './update.ts';

const MARK: Record<Severity, string> = { OK: '·', INFO: 'i', WARNING: 'W', CRITICAL: 'C' };
const COLOUR: Record<Severity, string> = { OK: '\x1b[32m', INFO: '\x1b[36m', WARNING: '\x1b[33m', CRITICAL: '\x1b[31m' };

/** The report as a table (one row per symbol, one column per timeframe), coverage lines and the findings that matter. */
export function formatValidateReport(report: ValidateReport, colour: boolean): string {
  const timeframes = [...new Set(report.cells.map((c) => c.timeframe))];
  const symbols = [...new Set(report.cells.map((c) => c.symbol))];
  const paint = (s: Severity, text: string) => (colour ? `${COLOUR[s]}${text}\x1b[0m` : text);
  const width = Math.max(6, ...symbols.map((s) => s.length));
  const lines = [`${''.padEnd(width)}  ${timeframes.map((tf) => tf.padStart(4)).join(' ')}`];
  for (const symbol of symbols) {
    const row = timeframes.map((tf) => {
      const cell = report.cells.find((c) => c.symbol === symbol && c.timeframe === tf);
      const s = cell?.status ?? 'OK';
      return paint(s, MARK[s].padStart(4));
    });
    lines.push(`${symbol.padEnd(width)}  ${row.join(' ')}`);
  }
  lines.push('', ...report.coverage.map(coverageSummaryLine));
  for (const f of report.findings.filter((f) => f.severity !== 'INFO')) lines.push(paint(f.severity, `${f.severity} ${f.text}`));
  const r = report.repairs;
  lines.push(
    `repairs: ${r.candlesWritten} candles re-fetched in ${r.attempted} gaps, ${r.notRepaired} not repaired${r.skippedReason ? ` (skipped: ${r.skippedReason})` : ''}`,
    paint(report.status, `${report.status}: ${report.counts.series} series, ${report.counts.candles} candles, ${report.findings.length} findings in ${report.seconds.toFixed(2)} s`),
  );
  return lines.join('\n');
}

export function registerValidate(program: Command): void {
  addUniverseFlags(program.command('validate').description('check staleness, coverage, gaps, sanity and lake health; repair ingestion gaps'))
    .option('--no-repair', 'report gaps without re-fetching them')
    .action(
      action(async (flags: UpdateFlags & { repair: boolean }, command: Command) => {
        const ctx = cliContext(command, universeOverrides(flags), { overrideSources: universeFlagSources(flags) });
        const report = await runValidate(
          {
            store: openObjectStore(ctx.config.lake),
            exchange: exchangeFromConfig(ctx.config.exchange),
            clock: systemClock,
            logger: ctx.logger,
            config: ctx.config,
            metrics: metricsSinkFromEnv(process.env, ctx.logger),
          },
          { trigger: 'cli', repair: flags.repair },
        );
        ctx.print(report, formatValidateReport(report, Boolean(process.stdout.isTTY)));
        const store = openObjectStore(ctx.config.lake);
        await publishJobFindings({ store, clock: systemClock, logger: ctx.logger, sender: alertSenderFromEnv(process.env, ctx.logger) }, 'validate', report.runId, report.findings);
        return exitCodeForStatus(report.status);
      }),
    );
}
