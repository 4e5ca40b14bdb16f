/**
 * The sentiment job (02:00 UTC, `candlelake sentiment`, `functions/sentiment.ts`): the fear & greed
 * index, funding rates, open interest and the long/short account ratio of the universe's
 * perpetuals, and macro series from FRED when a key is set — each fetched incrementally from what
 * the lake already holds and written with the lake's idempotent, atomic writes. One source down
 * never stops the others: the run succeeds for them and reports the one that failed.
 */
import pLimit from 'p-limit';
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { acquireLease } from '../lake/lease.ts';
import { newRunId, writeRunRecord, type RunOutcome } from '../lake/run-records.ts';
import { sentimentStoredRange, sentimentWrite, type SentimentDatasetId } from '../lake/sentiment-store.ts';
import type { JobLogger } from '../logging/types.ts';
import type { JobFinding } from '../notify/job-alerts.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { DerivativesSource, FearGreedSource, MacroSource } from './types.ts';
import { STATS_PERIOD_MS } from './periods.ts';

export type * from './types.ts';

const DAY_MS = 86_400_000;
/** Binance keeps open interest and long/short history for about 30 days. */
const STATS_HISTORY_MS = 29 * DAY_MS;

export interface SentimentDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  config: CandlelakeConfig;
  fearGreed: FearGreedSource;
  derivatives: DerivativesSource;
  /** Undefined without FRED_API_KEY: the macro series are skipped, and the run says so once. */
  macro?: MacroSource;
}

export interface SentimentInput {
  trigger: string;
  runId?: string;
}

/** What one source did in a run. */
export interface SourceOutcome {
  source: 'fear_greed' | 'derivatives' | 'macro';
  status: 'ok' | 'partial' | 'failed' | 'skipped';
  rowsWritten: number;
  /** Series written, e.g. `funding BTC/USDT`. */
  series: number;
  detail: string;
  /** Per-series failures (a symbol, a FRED series). */
  failures: Array<{ series: string; reason: string }>;
}

export interface SentimentResult {
  runId: string;
  outcome: RunOutcome;
  summary: string;
  sources: SourceOutcome[];
  /** Spot symbols of the universe with no USDT-margined perpetual (noted, not failed). */
  withoutPerpetual: string[];
  /** Said once per run when no FRED key is set. */
  notes: string[];
  /** What the doors raise as alerts (the job's complete list: missing ones resolve). */
  findings: JobFinding[];
}

/**
 * @example const result = await runSentiment({ store, clock, logger, config, fearGreed, derivatives, macro }, { trigger: 'cli' });
 */
export async function runSentiment(deps: SentimentDeps, input: SentimentInput): Promise<SentimentResult> {
  const { store, clock, logger, config } = deps;
  const startedMs = clock.nowMs();
  const runId = input.runId ?? newRunId('sentiment', startedMs);
  const result: SentimentResult = { runId, outcome: 'succeeded', summary: '', sources: [], withoutPerpetual: [], notes: [], findings: [] };
  const base = { job: 'sentiment', runId, trigger: input.trigger, startedAt: new Date(startedMs).toISOString() };
  // Two runs at once would both pass the "not stored yet" check and write the same rows twice.
  const attempt = await acquireLease(store, { name: 'sentiment', runId, ttlMs: config.update.leaseTtlMs, clock });
  if (!attempt.acquired) {
    result.outcome = 'skipped';
    result.summary = `skipped: sentiment run ${attempt.holder.runId} holds the lease`;
    await writeRunRecord(store, { ...base, endedAt: new Date(clock.nowMs()).toISOString(), outcome: 'skipped', summary: result.summary, details: {} });
    return result;
  }
  try {
    await writeRunRecord(store, { ...base, outcome: 'running', summary: 'running', details: {} });
    result.sources.push(await fearGreed(deps));
    result.sources.push(await derivatives(deps, result));
    result.sources.push(await macro(deps, result));
  } finally {
    await attempt.lease.release();
  }
  const attempted = result.sources.filter((s) => s.status !== 'skipped');
  const failed = attempted.filter((s) => s.status === 'failed');
  const partial = attempted.filter((s) => s.status === 'partial');
  result.outcome = attempted.length > 0 && failed.length === attempted.length ? 'failed' : failed.length + partial.length > 0 ? 'partial' : 'succeeded';
  for (const s of [...failed, ...partial]) {
    result.findings.push({
      key: `sentiment:source-${s.status}:${s.source}`,
      severity: 'WARNING',
      text: `sentiment: ${s.source} ${s.status === 'failed' ? 'unavailable' : 'partly failed'} — ${s.detail}`,
    });
  }
  result.summary = [
    ...result.sources.map((s) => `${s.source} ${s.status}${s.rowsWritten ? ` (+${s.rowsWritten} rows)` : ''}`),
    ...(result.withoutPerpetual.length ? [`no perpetual: ${result.withoutPerpetual.join(', ')}`] : []),
    ...result.notes,
  ].join('; ');
  logger.info(`sentiment ${result.outcome}: ${result.summary}`, { runId });
  await writeRunRecord(store, {
    ...base, endedAt: new Date(clock.nowMs()).toISOString(), outcome: result.outcome, summary: result.summary,
    details: { sources: result.sources, withoutPerpetual: result.withoutPerpetual, notes: result.notes },
  });
  return result;
}

/** Where the next fetch of a dataset starts: after what is stored, else `fallbackMs`. */
async function resumeFrom(store: ObjectStore, id: SentimentDatasetId, stepMs: number, fallbackMs: number): Promise<number> {
  const range = await sentimentStoredRange(store, id);
  return range ? range.lastMs + stepMs : fallbackMs;
}

async function fearGreed(deps: SentimentDeps): Promise<SourceOutcome> {
  const id: SentimentDatasetId = { dataset: 'fear_greed' };
  try {
    const range = await sentimentStoredRange(deps.store, id);
    // The first run takes the whole history (since 2018); later runs what is new.
    const points = await deps.fearGreed.history(range ? range.lastMs + DAY_MS : undefined);
    const written = await sentimentWrite(deps.store, id, points);
    return { source: 'fear_greed', status: 'ok', rowsWritten: written.written, series: 1, detail: `${written.written} days`, failures: [] };
  } catch (error) {
    deps.logger.warn('fear & greed unavailable', { reason: (error as Error).message });
    return { source: 'fear_greed', status: 'failed', rowsWritten: 0, series: 0, detail: (error as Error).message, failures: [{ series: 'fear_greed', reason: (error as Error).message }] };
  }
}

async function derivatives(deps: SentimentDeps, result: SentimentResult): Promise<SourceOutcome> {
  const { store, clock, config, logger } = deps;
  const nowMs = clock.nowMs();
  const period = config.sentiment.statsPeriod;
  const outcome: SourceOutcome = { source: 'derivatives', status: 'ok', rowsWritten: 0, series: 0, detail: '', failures: [] };
  const limit = pLimit(config.sentiment.concurrency);
  let attempted = 0;
  await Promise.all(
    config.universe.symbols.map((symbol) =>
      limit(async () => {
        let perpetual: string | undefined;
        try {
          perpetual = await deps.derivatives.perpetualFor(symbol);
        } catch (error) {
          attempted += 1;
          outcome.failures.push({ series: symbol, reason: (error as Error).message });
          return;
        }
        if (!perpetual) {
          result.withoutPerpetual.push(symbol);
          return;
        }
        attempted += 1;
        const exchange = 'binance';
        const jobs: Array<[string, () => Promise<number>]> = [
          ['funding', async () => {
            const id: SentimentDatasetId = { dataset: 'funding', exchange, symbol };
            const since = await resumeFrom(store, id, 1, nowMs - config.sentiment.fundingLookbackDays * DAY_MS);
            return (await sentimentWrite(store, id, await deps.derivatives.fundingHistory(perpetual, since))).written;
          }],
          ['open_interest', async () => {
            const id: SentimentDatasetId = { dataset: 'open_interest', exchange, symbol, period };
            const since = Math.max(await resumeFrom(store, id, STATS_PERIOD_MS[period], 0), nowMs - STATS_HISTORY_MS);
            return (await sentimentWrite(store, id, await deps.derivatives.openInterestHistory(perpetual, period, since))).written;
          }],
          ['long_short_ratio', async () => {
            const id: SentimentDatasetId = { dataset: 'long_short_ratio', exchange, symbol, period };
            const since = Math.max(await resumeFrom(store, id, STATS_PERIOD_MS[period], 0), nowMs - STATS_HISTORY_MS);
            return (await sentimentWrite(store, id, await deps.derivatives.longShortRatioHistory(perpetual, period, since))).written;
          }],
        ];
        for (const [dataset, run] of jobs) {
          try {
            // Awaited first: `x += await f()` would read x before the await and lose the other symbols' rows.
            const written = await run();
            outcome.rowsWritten += written;
            outcome.series += 1;
          } catch (error) {
            logger.warn('derivatives series failed', { symbol, dataset, reason: (error as Error).message });
            outcome.failures.push({ series: `${dataset} ${symbol}`, reason: (error as Error).message });
          }
        }
      }),
    ),
  );
  result.withoutPerpetual.sort();
  outcome.failures.sort((a, b) => a.series.localeCompare(b.series));
  outcome.status = outcome.failures.length === 0 ? 'ok' : outcome.series === 0 && attempted > 0 ? 'failed' : 'partial';
  outcome.detail = outcome.failures.length
    ? `${outcome.failures.length} series failed (${outcome.failures.slice(0, 3).map((f) => `${f.series}: ${f.reason}`).join('; ')}${outcome.failures.length > 3 ? '; …' : ''})`
    : `${outcome.series} series`;
  return outcome;
}

async function macro(deps: SentimentDeps, result: SentimentResult): Promise<SourceOutcome> {
  if (!deps.macro) {
    const note = 'macro series skipped: FRED_API_KEY is not set';
    result.notes.push(note);
    deps.logger.info(note);
    return { source: 'macro', status: 'skipped', rowsWritten: 0, series: 0, detail: note, failures: [] };
  }
  const outcome: SourceOutcome = { source: 'macro', status: 'ok', rowsWritten: 0, series: 0, detail: '', failures: [] };
  const fallback = deps.clock.nowMs() - deps.config.sentiment.macroLookbackDays * DAY_MS;
  for (const series of deps.config.sentiment.fredSeries) {
    try {
      const id: SentimentDatasetId = { dataset: 'macro', series };
      const since = await resumeFrom(deps.store, id, DAY_MS, fallback);
      const written = (await sentimentWrite(deps.store, id, await deps.macro.observations(series, since))).written;
      outcome.rowsWritten += written;
      outcome.series += 1;
    } catch (error) {
      deps.logger.warn('macro series failed', { series, reason: (error as Error).message });
      outcome.failures.push({ series, reason: (error as Error).message });
    }
  }
  outcome.status = outcome.failures.length === 0 ? 'ok' : outcome.series === 0 ? 'failed' : 'partial';
  outcome.detail = outcome.failures.length ? `${outcome.failures.map((f) => `${f.series}: ${f.reason}`).join('; ')}` : `${outcome.series} series`;
  return outcome;
}
