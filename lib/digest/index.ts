/**
 * The 04:00 digest: one Telegram message a person reads on a phone — overall status, each job's
 * last run and 7-day on-time rate, data freshness, open findings and alerts, the backtest's best
 * and worst strategies — or a single "all quiet" line when nothing needs attention. It also
 * delivers any alert a Telegram outage held back.
 */
import { alertCounts, deliverAlerts, openAlerts, type AlertSender } from '../alerts/index.ts';
import type { Clock } from '../clock/index.ts';
import { openLakeQuery } from '../lake/query.ts';
import { newRunId, writeRunRecord } from '../lake/run-records.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { collectStatus } from '../status/index.ts';
import { BUILT_JOBS } from '../status/rules.ts';
import { escapeMarkdownV2 as e } from '../telegram/escape.ts';
import { readLatestValidateReport } from '../validate/report-store.ts';
import { bestEquityPhoto } from './equity-photo.ts';
import { ON_TIME_OBJECTIVE_PCT, onTimeRate, recentRuns, scheduledSlots } from './on-time.ts';

/** Telegram's limit for a photo caption. */
const TELEGRAM_CAPTION_LIMIT = 1024;

export interface DigestDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  cacheDir: string;
  /** Sends the digest text (MarkdownV2); undefined prints it. */
  sendText?: (markdownV2: string) => Promise<unknown>;
  /** Sends the equity-curve photo (caption in MarkdownV2); without it no photo is drawn. */
  sendPhoto?: (png: Uint8Array, captionMarkdownV2: string) => Promise<unknown>;
  /** Delivers alerts a Telegram outage held back. */
  alertSender: AlertSender;
}

export interface Digest {
  runId: string;
  quiet: boolean;
  text: string;
}

async function backtestExtremes(store: ObjectStore, cacheDir: string): Promise<{ top: string[]; bottom: string[] }> {
  const lake = await openLakeQuery(store, cacheDir);
  try {
    const rows = await lake.rows(
      `SELECT symbol, timeframe, strategy, round(total_return_pct, 1) AS ret, round(sharpe, 2) AS sharpe FROM backtest_runs ` +
        `WHERE is_best AND run_id = (SELECT max(run_id) FROM backtest_runs WHERE run_id LIKE 'backtest-20%') ORDER BY sharpe DESC NULLS LAST`,
    ).catch(() => []);
    const line = (r: Record<string, unknown>) => `${r['symbol']} ${r['timeframe']} ${r['strategy']}: ${r['ret']}% (Sharpe ${r['sharpe']})`;
    return { top: rows.slice(0, 3).map(line), bottom: rows.length > 3 ? rows.slice(-3).map(line) : [] };
  } finally {
    lake.close();
  }
}

/**
 * Builds, sends and records the digest.
 * @example const digest = await runDigest({ store, clock: systemClock, logger, cacheDir, sendText, alertSender });
 */
export async function runDigest(deps: DigestDeps): Promise<Digest> {
  const nowMs = deps.clock.nowMs();
  const runId = newRunId('digest', nowMs);
  // First what an outage held back: the digest is the safety net for alerts.
  await deliverAlerts({ ...deps, sender: deps.alertSender }, { flush: true });
  const status = await collectStatus(deps.store, deps.clock);
  const validation = await readLatestValidateReport(deps.store);
  const alerts = await openAlerts(deps.store);
  const counts = await alertCounts(deps.store, nowMs - 86_400_000);
  const extremes = await backtestExtremes(deps.store, deps.cacheDir);
  const jobs: string[] = [];
  for (const job of Object.keys(schedule) as JobName[]) {
    if (!BUILT_JOBS.has(job)) continue;
    const rate = onTimeRate(scheduledSlots(job, nowMs, 7), await recentRuns(deps.store, job, nowMs, 7), job);
    const s = status.jobs.find((j) => j.job === job)!;
    const rateText = rate === null ? 'no slot yet' : `${rate}% on time (7 d)${rate < ON_TIME_OBJECTIVE_PCT ? ' ⚠️ below 99.5%' : ''}`;
    jobs.push(`• *${e(job)}* ${e(`${s.outcome ?? 'never ran'}${s.ageHours !== null ? `, ${s.ageHours} h ago` : ''} · ${rateText}`)}`);
  }
  const findings = (validation?.findings ?? []).filter((f) => f.severity !== 'INFO');
  const loud = alerts.filter((a) => a.severity !== 'INFO');
  const quiet = status.status === 'OK' && findings.length === 0 && loud.length === 0;
  let text: string;
  if (quiet) {
    const best = extremes.top[0] ? ` · best: ${extremes.top[0]}` : '';
    text = `✅ ${e(`candlelake: all quiet — ${jobs.length} jobs on time, data fresh${best}`)}`;
  } else {
    const sections = [
      `${status.status === 'CRITICAL' ? '🔴' : status.status === 'WARNING' ? '🟠' : '🟢'} *${e(`candlelake ${status.status}`)}* ${e(new Date(nowMs).toISOString().slice(0, 16).replace('T', ' '))} UTC`,
      `*Jobs*\n${jobs.join('\n')}`,
      validation
        ? `*Data* ${e(`${validation.status}: ${validation.counts.series} series, ${validation.counts.staleSeries} stale`)}${findings.length ? `\n${findings.slice(0, 8).map((f) => `• ${e(`${f.severity} ${f.text}`)}`).join('\n')}${findings.length > 8 ? `\n${e(`… and ${findings.length - 8} more`)}` : ''}` : ''}`
        : `*Data* ${e('not validated yet')}`,
      `*Alerts* ${e(`${counts.open.CRITICAL} critical, ${counts.open.WARNING} warning open; ${counts.raisedSince.CRITICAL + counts.raisedSince.WARNING} raised, ${counts.resolvedSince} resolved in 24 h`)}${loud.length ? `\n${loud.slice(0, 8).map((a) => `• ${e(`${a.severity} ${a.text}`)}`).join('\n')}` : ''}`,
      extremes.top.length ? `*Backtest*\n${e('best: ')}${extremes.top.map(e).join(e('; '))}${extremes.bottom.length ? `\n${e('worst: ')}${extremes.bottom.map(e).join(e('; '))}` : ''}` : '',
    ];
    text = sections.filter(Boolean).join('\n\n');
  }
  const photo = deps.sendPhoto ? await bestEquityPhoto(deps.store, deps.cacheDir) : undefined;
  if (photo && deps.sendPhoto && text.length <= TELEGRAM_CAPTION_LIMIT) {
    // One message on a normal day: the photo carries the digest as its caption.
    await deps.sendPhoto(photo.png, text);
  } else {
    if (deps.sendText) await deps.sendText(text);
    else deps.logger.info('digest', { text });
    if (photo && deps.sendPhoto) await deps.sendPhoto(photo.png, e(`Best of the last daily backtest: ${photo.caption}`));
  }
  await writeRunRecord(deps.store, {
    job: 'digest', runId, trigger: 'digest', startedAt: new Date(nowMs).toISOString(), endedAt: new Date(deps.clock.nowMs()).toISOString(),
    outcome: 'succeeded', summary: quiet ? 'all quiet' : `digest sent (${status.status})`, details: { quiet, status: status.status },
  });
  return { runId, quiet, text };
}
