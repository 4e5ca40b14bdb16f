/** `candlelake sentiment`: runs the sentiment job once (fear & greed, funding, open interest, long/short, macro). */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { publishJobFindings } from '../../notify/job-alerts.ts';
import { alertSenderFromEnv } from '../../notify/telegram-alert-sender.ts';
import { createSentimentDeps } from '../../sentiment/create-deps.ts';
import { runSentiment, type SentimentResult } from '../../sentiment/index.ts';
import { action, cliContext, splitFlagList } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

/** Text lines for a finished run. */
export function formatSentimentResult(result: SentimentResult): string {
  return [
    `sentiment ${result.runId}: ${result.outcome}`,
    ...result.sources.map((s) => `  ${s.source.padEnd(12)} ${s.status.padEnd(8)} ${s.rowsWritten} rows, ${s.detail}`),
    ...(result.withoutPerpetual.length ? [`  no perpetual: ${result.withoutPerpetual.join(', ')}`] : []),
    ...result.notes.map((n) => `  ${n}`),
  ].join('\n');
}

export function registerSentiment(program: Command): void {
  program
    .command('sentiment')
    .description('fetch fear & greed, funding rates, open interest, long/short ratio and (with FRED_API_KEY) macro series into the lake')
    .option('--symbols <list>', 'comma-separated symbols (default: the configured universe)')
    .action(
      action(async (flags: { symbols?: string }, command: Command) => {
        const ctx = cliContext(command, flags.symbols ? { universe: { symbols: splitFlagList(flags.symbols) } } : {}, {
          overrideSources: flags.symbols ? { 'universe.symbols': '--symbols' } : {},
        });
        const deps = createSentimentDeps(ctx.config, ctx.logger, systemClock, process.env['FRED_API_KEY']);
        const result = await runSentiment(deps, { trigger: 'cli' });
        ctx.print(result, formatSentimentResult(result));
        if (result.outcome !== 'skipped') {
          await publishJobFindings({ store: deps.store, clock: systemClock, logger: ctx.logger, sender: alertSenderFromEnv(process.env, ctx.logger) }, 'sentiment', result.runId, result.findings);
        }
        return result.outcome === 'failed' ? EXIT.failed : result.outcome === 'partial' ? EXIT.partial : EXIT.ok;
      }),
    );
}
