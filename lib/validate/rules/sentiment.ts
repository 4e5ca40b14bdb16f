/**
 * Freshness and gaps of the sentiment datasets (fear & greed, funding, open interest, long/short
 * ratio, macro). Pure: the query gathers each series' newest time and its largest holes; this
 * judges them. Sentiment sits beside prices, so its problems are WARNINGs, never CRITICAL.
 */
import type { Finding } from './types.ts';

/** One stored sentiment series as the query summarises it. */
export interface SentimentSeriesStats {
  /** `fear_greed`, `funding`, `open_interest`, `long_short_ratio`, `macro`. */
  dataset: string;
  /** Which series of the dataset: a symbol, a FRED series id, or `index` for fear & greed. */
  series: string;
  rows: number;
  lastMs: number;
  /** The most common spacing between consecutive rows (the series' own cadence). */
  cadenceMs: number;
  /** Holes longer than 1.5 cadences: [from, to) of the missing stretch. */
  gaps: Array<{ fromMs: number; toMs: number }>;
}

/** After this long without a new row a dataset is stale (the job runs daily; macro series publish with a lag, weekly for some). */
export const SENTIMENT_STALE_AFTER_MS: Readonly<Record<string, number>> = {
  fear_greed: 2 * 86_400_000,
  funding: 2 * 86_400_000,
  open_interest: 2 * 86_400_000,
  long_short_ratio: 2 * 86_400_000,
  macro: 10 * 86_400_000,
};

/** Datasets whose gaps are findings; macro series skip weekends and holidays by nature. */
const GAP_CHECKED = new Set(['fear_greed', 'funding', 'open_interest', 'long_short_ratio']);

/**
 * @example sentimentFindings([{ dataset: 'fear_greed', series: 'index', rows: 30, lastMs, cadenceMs: 86_400_000, gaps: [] }], nowMs)
 */
export function sentimentFindings(stats: readonly SentimentSeriesStats[], nowMs: number, staleAfterMs: Readonly<Record<string, number>> = SENTIMENT_STALE_AFTER_MS): Finding[] {
  const findings: Finding[] = [];
  for (const s of stats) {
    const limit = staleAfterMs[s.dataset] ?? 2 * 86_400_000;
    const lag = nowMs - s.lastMs;
    if (lag > limit) {
      findings.push({
        kind: 'stale', severity: 'WARNING', key: `validate:stale:sentiment:${s.dataset}:${s.series}`,
        text: `${s.dataset} ${s.series} is stale: newest ${new Date(s.lastMs).toISOString().slice(0, 16)}Z, ${Math.round(lag / 3_600_000)} h ago (limit ${Math.round(limit / 3_600_000)} h)`,
        details: { dataset: s.dataset, series: s.series, lastMs: s.lastMs, lagMs: lag },
      });
    }
    if (!GAP_CHECKED.has(s.dataset)) continue;
    for (const gap of s.gaps) {
      const missing = Math.round((gap.toMs - gap.fromMs) / s.cadenceMs);
      findings.push({
        kind: 'gap-sentiment', severity: 'WARNING', key: `validate:gap-sentiment:${s.dataset}:${s.series}:${new Date(gap.fromMs).toISOString()}`,
        text: `${s.dataset} ${s.series}: ${missing} missing from ${new Date(gap.fromMs).toISOString().slice(0, 16)}Z`,
        details: { dataset: s.dataset, series: s.series, fromMs: gap.fromMs, toMs: gap.toMs, missing },
      });
    }
  }
  return findings;
}
