/**
 * How the dashboard writes times, ages and the stored backtest parameters. Pure; numbers and
 * percentages come from the backtest report's formatters so both pages read the same.
 */
import { formatParams } from '../backtest/report/format.ts';
import type { StrategyParams } from '../backtest/types.ts';

/**
 * A timestamp to the minute, UTC.
 * @example formatTime('2024-07-10T02:00:31.000Z') // '2024-07-10 02:00Z'
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z` : iso;
}

/**
 * A duration in its two largest units.
 * @example formatAge(3 * 3_600_000 + 10 * 60_000) // '3 h 10 min'
 */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * Stored parameters (canonical JSON) as `k=v` pairs; anything else as it was stored.
 * @example formatStoredParams('{"fast":10,"slow":30}') // 'fast=10, slow=30'
 */
export function formatStoredParams(params: string): string {
  try {
    const parsed: unknown = JSON.parse(params);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return formatParams(parsed as StrategyParams);
  } catch {
    // Not JSON: shown as stored.
  }
  return params;
}
