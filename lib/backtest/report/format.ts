/**
 * How numbers read in reports, and which statistics are the "key" ones. One place, so the HTML
 * header, the results table and the PNG's subtitle show the same figures the same way.
 */
import type { Stats, StrategyParams } from '../types.ts';

/** Shown wherever a statistic is undefined (`null`, e.g. win rate without trades) or not finite. */
export const MISSING = '—';

// en-US grouping, pinned so a report reads the same whatever the machine's locale.
const formatters = new Map<number, Intl.NumberFormat>();
function grouped(value: number, digits: number): string {
  let format = formatters.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(digits, format);
  }
  return format.format(value);
}

function asFinite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A plain number with thousands separators, or {@link MISSING}.
 * @example formatNumber(12345.678) // '12,345.68'
 */
export function formatNumber(value: unknown, digits = 2): string {
  const v = asFinite(value);
  return v === undefined ? MISSING : grouped(v, digits);
}

/**
 * A percentage (the value is already in percent), optionally with an explicit `+`.
 * @example formatPct(12.345, { signed: true }) // '+12.35%'
 */
export function formatPct(value: unknown, { signed = false, digits = 2 } = {}): string {
  const v = asFinite(value);
  if (v === undefined) return MISSING;
  const text = `${grouped(v, digits)}%`;
  return signed && v > 0 ? `+${text}` : text;
}

/**
 * Parameters as `k=v` pairs in their own order.
 * @example formatParams({ fast: 10, slow: 50 }) // 'fast=10, slow=50'
 */
export function formatParams(params: StrategyParams): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** A statistic the report headlines, with its label and how it is written. */
export interface KeyStat {
  key: keyof Stats;
  label: string;
  format: (value: unknown) => string;
}

/**
 * The statistics shown in the header, the results table and the PNG subtitle, in that order.
 * @example KEY_STATS.map((s) => `${s.label} ${s.format(stats[s.key])}`)
 */
export const KEY_STATS: readonly KeyStat[] = [
  { key: 'totalReturnPct', label: 'Total return', format: (v) => formatPct(v, { signed: true }) },
  { key: 'cagrPct', label: 'CAGR', format: (v) => formatPct(v, { signed: true }) },
  { key: 'sharpe', label: 'Sharpe', format: (v) => formatNumber(v, 2) },
  { key: 'maxDrawdownPct', label: 'Max drawdown', format: (v) => formatPct(v) },
  { key: 'trades', label: 'Trades', format: (v) => formatNumber(v, 0) },
  { key: 'winRatePct', label: 'Win rate', format: (v) => formatPct(v, { digits: 1 }) },
  { key: 'exposurePct', label: 'Exposure', format: (v) => formatPct(v, { digits: 1 }) },
];

/**
 * The key statistics on one line, e.g. for a chart subtitle.
 * @example keyStatsLine(result.stats) // 'Total return +12.35%  ·  CAGR +4.10%  ·  Sharpe 1.21  ·  …'
 */
export function keyStatsLine(stats: Stats): string {
  return KEY_STATS.map((s) => `${s.label} ${s.format(stats[s.key])}`).join('  ·  ');
}
