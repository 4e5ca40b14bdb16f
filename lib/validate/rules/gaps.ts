/**
 * Gaps: runs of missing candles inside a series, found in one pass over its sorted open times,
 * and how a gap is reported depending on whether the exchange or the lake is missing the data.
 */
import { fileStamp } from '../../lake/keys.ts';
import { alignDown, alignUp, timeframeMs } from '../../candles/timeframe.ts';
import type { Timeframe } from '../../config/universe.ts';
import { findingKey, plural, utcMinute } from './format.ts';
import type { Finding, Gap, GapOrigin, GapWindow, SeriesRef } from './types.ts';

/**
 * An ingestion gap spanning more than this is CRITICAL (WARNING up to it): one day's worth of
 * candles (96 × 15m, 24 × 1h, 6 × 4h, 1 × 1d). The update is incremental and runs once a day, so a
 * hole of up to a day can be one run's bad page; more than a day of data missing in the middle of
 * a series is lost history that backtests will read straight through.
 * @example DEFAULT_GAP_CRITICAL_SPAN_MS // 86_400_000
 */
export const DEFAULT_GAP_CRITICAL_SPAN_MS = 86_400_000;

/**
 * The runs of missing candles in a series, in time order. O(n), one pass.
 *
 * - `openTimesMs` must be sorted ascending (duplicates are tolerated and ignored); unsorted input
 *   gives wrong results, it is not checked. A misaligned time counts as the candle it falls in
 *   (sanity reports misaligned times separately, so they are not reported twice).
 * - `window` bounds are open times, inclusive (`fromMs` rounded up, `toMs` down to the timeframe).
 *   Without a bound, the first / last stored candle is the bound, so only inner gaps are found;
 *   with both bounds, missing candles at the start and end of the window are gaps too, and an
 *   empty series is one gap over the whole window. An empty series without both bounds has none.
 *
 * @example
 * const H = 3_600_000;
 * findGaps([0, H, 4 * H], '1h') // [{ fromMs: 2 * H, toMs: 3 * H, missing: 2 }]
 */
export function findGaps(openTimesMs: ArrayLike<number>, timeframe: Timeframe, window: GapWindow = {}): Gap[] {
  const n = openTimesMs.length;
  const stepMs = timeframeMs(timeframe);
  const loMs = window.fromMs !== undefined ? alignUp(window.fromMs, timeframe) : n > 0 ? alignDown(openTimesMs[0]!, timeframe) : undefined;
  const hiMs = window.toMs !== undefined ? alignDown(window.toMs, timeframe) : n > 0 ? alignDown(openTimesMs[n - 1]!, timeframe) : undefined;
  if (loMs === undefined || hiMs === undefined || loMs > hiMs) return [];

  const gaps: Gap[] = [];
  // Invariant: every candle before `cursorMs` (within the window) is accounted for.
  let cursorMs = loMs;
  for (let i = 0; i < n; i += 1) {
    const slotMs = alignDown(openTimesMs[i]!, timeframe);
    if (slotMs < cursorMs) continue; // before the window, or a repeat
    if (slotMs > hiMs) break;
    if (slotMs > cursorMs) gaps.push({ fromMs: cursorMs, toMs: slotMs - stepMs, missing: (slotMs - cursorMs) / stepMs });
    cursorMs = slotMs + stepMs;
  }
  if (cursorMs <= hiMs) gaps.push({ fromMs: cursorMs, toMs: hiMs, missing: (hiMs - cursorMs) / stepMs + 1 });
  return gaps;
}

/**
 * Stable key of a gap finding, identified by the series and the gap's first missing candle.
 * @example
 * gapKey('binance', 'BTC/USDT', '1h', { fromMs: Date.UTC(2024, 5, 1), toMs: Date.UTC(2024, 5, 1, 2), missing: 3 })
 * // 'validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0000Z'
 */
export function gapKey(exchange: string, symbol: string, timeframe: Timeframe, gap: Gap, origin: GapOrigin = 'ingestion'): string {
  return findingKey(`gap-${origin}`, exchange, symbol, timeframe, fileStamp(gap.fromMs));
}

/**
 * The finding for one gap. Exchange gaps are INFO (the exchange has no data; nothing to repair).
 * Ingestion gaps are WARNING, or CRITICAL when they span more than `criticalSpanMs`
 * (default one day, see `DEFAULT_GAP_CRITICAL_SPAN_MS`).
 *
 * @example
 * gapFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
 *   { fromMs: Date.UTC(2024, 5, 1), toMs: Date.UTC(2024, 5, 1, 2), missing: 3 }, 'ingestion')
 * // { kind: 'gap-ingestion', severity: 'WARNING', key: 'validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0000Z', … }
 */
export function gapFinding(series: SeriesRef, gap: Gap, origin: GapOrigin, criticalSpanMs = DEFAULT_GAP_CRITICAL_SPAN_MS): Finding {
  const { exchange, symbol, timeframe } = series;
  const spanMs = gap.missing * timeframeMs(timeframe);
  const severity = origin === 'exchange' ? 'INFO' : spanMs > criticalSpanMs ? 'CRITICAL' : 'WARNING';
  const range = gap.missing === 1 ? utcMinute(gap.fromMs) : `${utcMinute(gap.fromMs)} to ${utcMinute(gap.toMs)}`;
  const text =
    origin === 'exchange'
      ? `${symbol} ${timeframe}: the exchange has no data for ${plural(gap.missing, 'candle')} (${range})`
      : `${symbol} ${timeframe} is missing ${plural(gap.missing, 'candle')} the exchange has (${range})`;
  return {
    kind: `gap-${origin}`,
    severity,
    key: gapKey(exchange, symbol, timeframe, gap, origin),
    symbol,
    timeframe,
    text,
    details: { fromMs: gap.fromMs, toMs: gap.toMs, missing: gap.missing, origin },
  };
}

/**
 * Whether `gap` lies entirely within one remembered exchange gap of the same series.
 * @example isKnownGap({ fromMs: 2, toMs: 3, missing: 2 }, [{ fromMs: 1, toMs: 5, missing: 5 }]) // true
 */
export function isKnownGap(gap: Gap, known: readonly Gap[]): boolean {
  return known.some((k) => k.fromMs <= gap.fromMs && gap.toMs <= k.toMs);
}
