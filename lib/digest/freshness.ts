/**
 * The digest's data-freshness block: the validate report's symbols × timeframes table folded into a
 * few lines a phone shows without wrapping — one line per timeframe with its counts, then the
 * series that are not OK, worst first, named briefly.
 */
import type { SeriesCell } from '../validate/types.ts';

const MARK = { OK: '✅', WARNING: '🟠', CRITICAL: '🔴' } as const;
const RANK = { CRITICAL: 0, WARNING: 1, INFO: 2, OK: 3 } as const;

/** How many not-OK series the block names before it says "and N more". */
export const FRESHNESS_NAMED_LIMIT = 12;

/**
 * Plain-text lines (escape before sending).
 * @example freshnessLines(report.cells) // ['1h ✅58 🟠1 🔴1', '4h ✅60', '🔴 SOL 1h · 🟠 DOGE 1h']
 */
export function freshnessLines(cells: readonly SeriesCell[]): string[] {
  const byTimeframe = new Map<string, { OK: number; WARNING: number; CRITICAL: number }>();
  for (const cell of cells) {
    const counts = byTimeframe.get(cell.timeframe) ?? { OK: 0, WARNING: 0, CRITICAL: 0 };
    counts[cell.status === 'CRITICAL' ? 'CRITICAL' : cell.status === 'WARNING' ? 'WARNING' : 'OK'] += 1;
    byTimeframe.set(cell.timeframe, counts);
  }
  const lines = [...byTimeframe].map(([timeframe, counts]) =>
    [timeframe, ...(['OK', 'WARNING', 'CRITICAL'] as const).filter((s) => counts[s] > 0).map((s) => `${MARK[s]}${counts[s]}`)].join(' '),
  );
  const bad = cells
    .filter((c) => c.status === 'WARNING' || c.status === 'CRITICAL')
    .sort((a, b) => RANK[a.status] - RANK[b.status] || a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe));
  if (bad.length > 0) {
    // The quote asset is the same for the whole universe on a phone-width line; the base names the market.
    const named = bad.slice(0, FRESHNESS_NAMED_LIMIT).map((c) => `${MARK[c.status as 'WARNING' | 'CRITICAL']} ${c.symbol.split('/')[0]} ${c.timeframe}`);
    lines.push(named.join(' · ') + (bad.length > FRESHNESS_NAMED_LIMIT ? ` · and ${bad.length - FRESHNESS_NAMED_LIMIT} more` : ''));
  }
  return lines;
}
