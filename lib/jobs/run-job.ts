/**
 * The local door to every scheduled job: one function per job name that builds the job's ports
 * from configuration, runs the same lib function its CLI subcommand and Lambda run, publishes its
 * findings as alerts, and says how it went. The daemon's schedule and the offline demo both call
 * it; the backtest runs in a supervised child process (lib/recovery/local-supervisor.ts), every
 * other job in-process.
 */
import { resolve } from 'node:path';
import { runBackup } from '../backup/job.ts';
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { runDigest } from '../digest/index.ts';
import { exchangeFromConfig } from '../exchange/from-config.ts';
import type { JobLogger } from '../logging/types.ts';
import { publishJobFindings } from '../notify/job-alerts.ts';
import { recoveryAlertNotify } from '../notify/recovery-alerts.ts';
import { alertSenderFromEnv } from '../notify/telegram-alert-sender.ts';
import { updateAlertFindings } from '../notify/update-findings.ts';
import { openObjectStore } from '../object-store/index.ts';
import { superviseBacktest, type SupervisorEvent } from '../recovery/local-supervisor.ts';
import type { JobName } from '../schedule/index.ts';
import { createSentimentDeps } from '../sentiment/create-deps.ts';
import { runSentiment } from '../sentiment/index.ts';
import { telegramSenderFromEnv } from '../telegram/from-env.ts';
import { createUpdateDeps } from '../update/create-deps.ts';
import { runUpdate } from '../update/index.ts';
import { runValidate } from '../validate/index.ts';

/** How one run of a job went, in the shape the daemon logs and the demo prints. */
export interface JobRunOutcome {
  job: JobName;
  runId: string;
  /** `succeeded`, `partial`, `failed`, `skipped` (another run holds the lease, or nothing to do). */
  outcome: string;
  summary: string;
  seconds: number;
}

export interface RunJobContext {
  config: CandlelakeConfig;
  logger: JobLogger;
  clock: Clock;
  /** Environment for secrets (TELEGRAM_*, FRED_API_KEY) and the backtest child. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The backtest child: scheduling priority (0..19) and worker threads. */
  backtest?: { nice?: number; workers?: number; onEvent?: (event: SupervisorEvent) => void };
  /** Stops the supervised backtest (SIGTERM to the child, which checkpoints and exits). */
  signal?: AbortSignal;
}

const CLI = resolve(import.meta.dirname, '../../bin/candlelake.js');

/**
 * Runs one job once.
 * @example const outcome = await runJob('update', { config, logger, clock: systemClock });
 */
export async function runJob(job: JobName, ctx: RunJobContext): Promise<JobRunOutcome> {
  const started = performance.now();
  const env = ctx.env ?? process.env;
  const { config, logger, clock } = ctx;
  const store = openObjectStore(config.lake);
  const sender = alertSenderFromEnv(env, logger);
  const publish = (runId: string, findings: Parameters<typeof publishJobFindings>[3]) =>
    publishJobFindings({ store, clock, logger, sender }, job, runId, findings);
  const done = (runId: string, outcome: string, summary: string): JobRunOutcome => ({ job, runId, outcome, summary, seconds: (performance.now() - started) / 1000 });

  switch (job) {
    case 'update': {
      const record = await runUpdate(createUpdateDeps(config, logger), { trigger: 'daemon' });
      const findings = updateAlertFindings(record);
      if (findings) await publish(record.runId, findings);
      return done(record.runId, record.outcome, record.summary);
    }
    case 'validate': {
      const report = await runValidate({ store, exchange: exchangeFromConfig(config.exchange), clock, logger, config }, { trigger: 'daemon' });
      await publish(report.runId, report.findings);
      return done(report.runId, report.status === 'CRITICAL' ? 'failed' : report.status === 'WARNING' ? 'partial' : 'succeeded', `${report.status}: ${report.findings.length} findings`);
    }
    case 'sentiment': {
      const result = await runSentiment(createSentimentDeps(config, logger, clock, env['FRED_API_KEY']), { trigger: 'daemon' });
      if (result.outcome !== 'skipped') await publish(result.runId, result.findings);
      return done(result.runId, result.outcome, result.summary);
    }
    case 'backup': {
      if (!config.backup.url) return done('-', 'skipped', 'no backup store configured (CANDLELAKE_BACKUP)');
      const result = await runBackup({ lake: store, backup: openObjectStore(config.backup.url), clock, logger, config }, { trigger: 'daemon' });
      await publish(result.runId, result.findings);
      return done(result.runId, result.outcome, result.summary);
    }
    case 'digest': {
      const telegram = telegramSenderFromEnv(env, logger);
      const digest = await runDigest({
        store, clock, logger, cacheDir: config.cacheDir, alertSender: sender,
        ...(telegram ? { sendText: (text: string) => telegram.sendText(text), sendPhoto: (png: Uint8Array, caption: string) => telegram.sendPhoto(png, caption) } : {}),
      });
      return done(digest.runId, 'succeeded', digest.quiet ? 'all quiet' : 'digest sent');
    }
    case 'backtest': {
      const result = await superviseBacktest({
        store, logger,
        command: [process.execPath, CLI, 'backtest-task'],
        env: () => ({
          ...env,
          CANDLELAKE_LAKE: config.lake,
          ...(ctx.backtest?.workers !== undefined ? { CANDLELAKE_BACKTEST_WORKERS: String(ctx.backtest.workers) } : {}),
        }),
        ...(ctx.backtest?.nice !== undefined ? { nice: ctx.backtest.nice } : {}),
        ...(ctx.backtest?.onEvent ? { onEvent: ctx.backtest.onEvent } : {}),
        clock,
        notify: recoveryAlertNotify({ store, clock, logger, sender }, `backtest-supervisor-${clock.nowMs()}`),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const runId = `backtest-${new Date(clock.nowMs()).toISOString().slice(0, 10)}`;
      if (result.outcome === 'stopped') return done(runId, 'interrupted', 'stopped by a shutdown; the next run resumes from its checkpoints');
      return done(runId, result.outcome === 'finished' ? 'succeeded' : 'failed', `${result.outcome} after ${result.attempts} attempts`);
    }
  }
}
