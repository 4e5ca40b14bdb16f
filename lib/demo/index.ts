/**
 * `candlelake demo`: one full offline cycle against the replay exchange. Starts the replay
 * (synthetic Binance + alternative.me on loopback), writes a demo config, then runs every job
 * once through `runJob` — update (backfill), validate, sentiment, backtest (supervised child with
 * heartbeat), backup, digest — printing one line per job, and finally where the lake, the HTML
 * report and the dashboard are.
 */
import { mkdir } from 'node:fs/promises';
import { systemClock } from '../clock/index.ts';
import { loadConfig } from '../config/load.ts';
import { runJob, type JobRunOutcome } from '../jobs/run-job.ts';
import { createConsoleLogger } from '../logging/console-logger.ts';
import type { JobLogger } from '../logging/types.ts';
import { startReplayExchange } from '../replay-exchange/index.ts';
import type { JobName } from '../schedule/index.ts';
import { demoConfig, demoLayout, demoSymbols, writeDemoConfig } from './config.ts';
import { bestBacktestResult, writeBestReport } from './report.ts';
import type { DemoOptions, DemoResult } from './types.ts';

export type { DemoOptions, DemoResult, DemoPaths } from './types.ts';

/** The cycle, in the order the schedule runs it after a night's update. */
export const DEMO_JOBS: readonly JobName[] = ['update', 'validate', 'sentiment', 'backtest', 'backup', 'digest'];

/** Where the demo writes its lines (stdout in the CLI). */
export type DemoWrite = (line: string) => void;

/**
 * Runs the demo; never throws for a failing job (its line says so and `ok` is false).
 * @example const result = await runDemo({ dir: './demo', symbols: 10, days: 365, seed: 1, logLevel: 'warn' }, console.log);
 */
export async function runDemo(options: DemoOptions, write: DemoWrite): Promise<DemoResult> {
  const started = performance.now();
  const layout = demoLayout(options.dir);
  await mkdir(layout.dir, { recursive: true });
  const symbols = demoSymbols(options.symbols);
  const replay = await startReplayExchange({ days: options.days, seed: options.seed, gapSymbols: symbols.slice(0, 2).map((s) => s.replace('/', '')) });
  const jobs: JobRunOutcome[] = [];
  let reportFile: string | undefined;
  try {
    const input = demoConfig(layout, replay, { symbols: options.symbols, days: options.days });
    await writeDemoConfig(layout, input);
    // Only the demo's file: the caller's CANDLELAKE_* settings must not redirect the demo.
    const config = loadConfig({ file: layout.configFile, env: {} });
    const env = childEnv(layout.configFile, config.lake, replay.binanceUrl);
    write(`candlelake demo — SYNTHETIC market data from the local replay exchange (seeded GARCH model, seed ${options.seed}); not real prices.`);
    write(`replay exchange: ${replay.binanceUrl} (Binance API) · ${replay.fearGreedUrl} (fear & greed) · ${replay.gaps.length} exchange-side gaps`);
    write(`universe: ${symbols.length} symbols × ${config.universe.timeframes.join('/')}, ${options.days} days of history · macro skipped (no FRED key offline)`);
    const logger = demoLogger(options.logLevel, write);
    for (const job of DEMO_JOBS) {
      const outcome = await runOne(job, { config, logger, clock: systemClock, env, backtest: { workers: 1 } });
      jobs.push(outcome);
      write(formatJobLine(outcome));
      if (job === 'backtest' && outcome.outcome === 'succeeded') {
        const best = await bestBacktestResult(config);
        if (best) {
          await mkdir(layout.reportDir, { recursive: true });
          reportFile = await writeBestReport(config, best, layout.reportDir, env).catch((error: unknown) => {
            write(`  (no HTML report: ${(error as Error).message})`);
            return undefined;
          });
          if (reportFile) write(`  best: ${best.symbol} ${best.timeframe} ${best.strategy} ${best.params} (sharpe ${best.sharpe?.toFixed(2) ?? '—'})`);
        }
      }
    }
  } finally {
    await replay.close();
  }
  const ok = jobs.length === DEMO_JOBS.length && jobs.every((j) => j.outcome === 'succeeded');
  const seconds = (performance.now() - started) / 1000;
  write('');
  write(`lake:      ${layout.lakeUrl}   (candlelake query "SELECT count(*) FROM ohlcv" --config ${layout.configFile})`);
  write(`backup:    ${layout.backupUrl}`);
  if (reportFile) write(`report:    ${reportFile}`);
  write(`dashboard: candlelake dashboard --lake ${layout.lakeUrl}`);
  write(`config:    ${layout.configFile}`);
  write(`${ok ? 'demo finished' : 'demo finished with failures'}: ${jobs.filter((j) => j.outcome === 'succeeded').length}/${DEMO_JOBS.length} jobs succeeded in ${seconds.toFixed(1)} s`);
  return { jobs, seconds, ok, paths: { dir: layout.dir, configFile: layout.configFile, lakeUrl: layout.lakeUrl, backupUrl: layout.backupUrl, ...(reportFile ? { reportFile } : {}) } };
}

/**
 * One line per job: name, outcome, seconds, summary.
 * @example formatJobLine({ job: 'update', runId: 'r', outcome: 'succeeded', summary: '40 series', seconds: 12.3 }) // 'update     succeeded    12.3 s  40 series'
 */
export function formatJobLine(outcome: JobRunOutcome): string {
  return `${outcome.job.padEnd(10)} ${outcome.outcome.padEnd(10)} ${outcome.seconds.toFixed(1).padStart(6)} s  ${outcome.summary}`;
}

/** runJob, with a thrown error turned into a failed outcome so the cycle goes on. */
async function runOne(job: JobName, ctx: Parameters<typeof runJob>[1]): Promise<JobRunOutcome> {
  const started = performance.now();
  try {
    return await runJob(job, ctx);
  } catch (error) {
    return { job, runId: '-', outcome: 'failed', summary: (error as Error).message.replace(/\s*\n\s*/g, ' '), seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * The environment of the jobs and the backtest child: the caller's, minus every CANDLELAKE_*
 * setting and the FRED key (offline), plus the demo's config, lake and exchange.
 */
function childEnv(configFile: string, lakeUrl: string, binanceUrl: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CANDLELAKE_') && name !== 'FRED_API_KEY'));
  return { ...env, CANDLELAKE_CONFIG: configFile, CANDLELAKE_LAKE: lakeUrl, CANDLELAKE_BINANCE_URL: binanceUrl, CANDLELAKE_LOG_LEVEL: 'warn' };
}

/** Job logs on stderr at `level`; the digest, which the digest job logs when Telegram is not configured, goes to the demo's output. */
function demoLogger(level: DemoOptions['logLevel'], write: DemoWrite): JobLogger {
  const base = createConsoleLogger({ level });
  return {
    debug: (message, fields) => base.debug(message, fields),
    info: (message, fields) => {
      if (message === 'digest' && typeof fields?.['text'] === 'string') {
        write(indent(unescapeMarkdownV2(fields['text'])));
        return;
      }
      base.info(message, fields);
    },
    warn: (message, fields) => base.warn(message, fields),
    error: (message, fields) => base.error(message, fields),
  };
}

function unescapeMarkdownV2(text: string): string {
  return text.replace(/\\([_*[\]()~`>#+\-=|{}.!\\])/g, '$1');
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  │ ${line}`).join('\n');
}
