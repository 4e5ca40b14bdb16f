/**
 * The 04:00 digest: one Telegram message a person reads on a phone — overall status, each job's
 * last run and 7-day on-time rate, data freshness, open findings and alerts, the backtest's best
 * and worst strategies — or a single "all quiet" line when nothing needs attention. It also
 * delivers any alert a Telegram outage held back.
 */
import { alertCounts, deliverAlerts, openAlerts, type AlertSender } from '../alerts/index.ts';
import type { Clock } from '../clock/index.ts';
import { dailyRunDrift } from '../backtest/previous-run.ts';
import { openLakeQuery } from '../lake/query.ts';
import { firstRunMs, newRunId, writeRunRecord } from '../lake/run-records.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { collectStatus } from '../status/index.ts';
import { BUILT_JOBS, RUN_GRACE_MS } from '../status/rules.ts';
import { escapeMarkdownV2 as e } from '../telegram/escape.ts';
import { readLatestValidateReport } from '../validate/report-store.ts';
import { bestEquityPhoto } from './equity-photo.ts';
import { freshnessLines } from './freshness.ts';
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

/** What the digest says about the newest daily backtest. */
interface BacktestDigest {
  top: string[];
  bottom: string[];
  /** Day-over-day drifts of the best results, largest first, as lines. */
  drift: string[];
}

/** How many drifts, findings and open alerts the digest names before it says "and N more". */
const DRIFTS_LISTED = 5;
const FINDINGS_LISTED = 8;
const ALERTS_LISTED = 40;

async function backtestDigest(store: ObjectStore, cacheDir: string): Promise<BacktestDigest> {
  const lake = await openLakeQuery(store, cacheDir);
  try {
    const rows = await lake.rows(
      `SELECT symbol, timeframe, strategy, round(total_return_pct, 1) AS ret, round(sharpe, 2) AS sharpe FROM backtest_runs ` +
        `WHERE is_best AND run_id = (SELECT max(run_id) FROM backtest_runs WHERE run_id LIKE 'backtest-20%') ORDER BY sharpe DESC NULLS LAST`,
    ).catch(() => []);
    const line = (r: Record<string, unknown>) => `${r['symbol']} ${r['timeframe']} ${r['strategy']}: ${r['ret']}% (Sharpe ${r['sharpe']})`;
    const { drifts } = await dailyRunDrift(lake).catch(() => ({ drifts: [] }));
    const drift = [...drifts]
      .sort((a, b) => Math.abs(b.delta) / b.bound - Math.abs(a.delta) / a.bound)
      .map((d) => `${d.symbol} ${d.timeframe} ${d.strategy} ${d.metric} ${round2(d.previous)} → ${round2(d.current)}`);
    return { top: rows.slice(0, 3).map(line), bottom: rows.length > 3 ? rows.slice(-3).map(line) : [], drift };
  } finally {
    lake.close();
  }
}

const round2 = (n: number) => String(Math.round(n * 100) / 100);

/** The first `limit` items as bullet lines (escaped), then "… and N more". */
function bullets(items: readonly string[], limit: number): string {
  const lines = items.slice(0, limit).map((item) => `• ${e(item)}`);
  if (items.length > limit) lines.push(e(`… and ${items.length - limit} more`));
  return lines.join('\n');
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
  const backtest = await backtestDigest(deps.store, deps.cacheDir);
  const jobs: string[] = [];
  const installedMs = await firstRunMs(deps.store, 'update');
  for (const job of Object.keys(schedule) as JobName[]) {
    if (!BUILT_JOBS.has(job)) continue;
    // Slots before the lake went live were never due.
    const slots = scheduledSlots(job, nowMs, 7).filter((slot) => installedMs === undefined || slot >= installedMs - RUN_GRACE_MS[job]);
    const rate = onTimeRate(slots, await recentRuns(deps.store, job, nowMs, 7), job);
    const s = status.jobs.find((j) => j.job === job)!;
    const rateText = rate === null ? 'no slot yet' : `${rate}% on time (7 d)${rate < ON_TIME_OBJECTIVE_PCT ? ' ⚠️ below 99.5%' : ''}`;
    jobs.push(`• *${e(job)}* ${e(`${s.outcome ?? 'never ran'}${s.ageHours !== null ? `, ${s.ageHours} h ago` : ''} · ${rateText}`)}`);
  }
  const findings = (validation?.findings ?? []).filter((f) => f.severity !== 'INFO');
  const loud = alerts.filter((a) => a.severity !== 'INFO').sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'CRITICAL' ? -1 : 1));
  const quiet = status.status === 'OK' && findings.length === 0 && loud.length === 0;
  let text: string;
  if (quiet) {
    const best = backtest.top[0] ? ` · best: ${backtest.top[0]}` : '';
    const drift = backtest.drift.length ? ` · ${backtest.drift.length} drift${backtest.drift.length > 1 ? 's' : ''} day over day` : '';
    // Jobs that have run (and, the day being quiet, are on time); one not due yet is not counted.
    const ran = status.jobs.filter((j) => BUILT_JOBS.has(j.job) && j.lastRun !== null).length;
    text = `✅ ${e(`candlelake: all quiet — ${ran} jobs on time, data fresh${best}${drift}`)}`;
  } else {
    const data = validation
      ? [
          `*Data* ${e(`${validation.status}: ${validation.counts.series} series, ${validation.counts.staleSeries} stale`)}`,
          ...freshnessLines(validation.cells).map(e),
          ...(findings.length ? [bullets(findings.map((f) => `${f.severity} ${f.text}`), FINDINGS_LISTED)] : []),
        ].join('\n')
      : `*Data* ${e('not validated yet')}`;
    const sections = [
      `${status.status === 'CRITICAL' ? '🔴' : status.status === 'WARNING' ? '🟠' : '🟢'} *${e(`candlelake ${status.status}`)}* ${e(new Date(nowMs).toISOString().slice(0, 16).replace('T', ' '))} UTC`,
      `*Jobs*\n${jobs.join('\n')}`,
      data,
      `*Alerts* ${e(`${counts.open.CRITICAL} critical, ${counts.open.WARNING} warning open; ${counts.raisedSince.CRITICAL + counts.raisedSince.WARNING} raised, ${counts.resolvedSince} resolved in 24 h`)}` +
        (loud.length ? `\n${bullets(loud.map((a) => `${a.severity} ${a.text}${a.count > 1 ? ` (×${a.count})` : ''}`), ALERTS_LISTED)}` : ''),
      backtest.top.length
        ? [
            `*Backtest*`,
            `${e('best: ')}${backtest.top.map(e).join(e('; '))}`,
            ...(backtest.bottom.length ? [`${e('worst: ')}${backtest.bottom.map(e).join(e('; '))}`] : []),
            ...(backtest.drift.length ? [`${e('drift day over day:')}\n${bullets(backtest.drift, DRIFTS_LISTED)}`] : []),
          ].join('\n')
        : '',
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
