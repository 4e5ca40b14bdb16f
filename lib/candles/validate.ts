/**
 * Row checks applied before anything is written. Pure: the caller counts what is refused
 * and why, so a bad page from the exchange shows up in the run record instead of the lake.
 */
import type { Timeframe } from '../config/universe.ts';
import { isAligned, isClosed } from './timeframe.ts';
import type { Candle, RawCandle, RejectReason } from './types.ts';

export interface CandleScreening {
  /** Closed, valid candles, sorted by time, one per open time. */
  accepted: Candle[];
  rejected: Partial<Record<RejectReason, number>>;
  /** Candles whose window had not finished yet (normal: the exchange always sends the current one). */
  unfinished: number;
  /** Repeats of an open time already seen in this batch (overlapping pages). */
  duplicates: number;
}

/**
 * Why `row` cannot be stored, or `undefined` when it is a sound candle.
 * @example rejectReason([0, 1, 0.5, 0.9, 1, 3], '1h') // 'high-below-low'
 */
export function rejectReason(row: RawCandle, timeframe: Timeframe): RejectReason | undefined {
  const [time, open, high, low, close, volume] = row;
  const fields = [time, open, high, low, close, volume];
  if (fields.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return 'non-numeric';
  const [t, o, h, l, c, v] = fields as number[];
  if (h! < l!) return 'high-below-low';
  if (o! > h! || o! < l! || c! > h! || c! < l!) return 'ohlc-outside-range';
  if (v! < 0) return 'negative-volume';
  if (!Number.isInteger(t) || !isAligned(t!, timeframe)) return 'misaligned-time';
  return undefined;
}

/**
 * Splits raw rows into storable candles and counted refusals. Drops the unfinished candle
 * and de-duplicates by open time (first occurrence wins: pages never disagree on Binance).
 */
export function screenCandles(rows: readonly RawCandle[], timeframe: Timeframe, nowMs: number): CandleScreening {
  const rejected: Partial<Record<RejectReason, number>> = {};
  const byTime = new Map<number, Candle>();
  let unfinished = 0;
  let duplicates = 0;
  for (const row of rows) {
    const reason = rejectReason(row, timeframe);
    if (reason) {
      rejected[reason] = (rejected[reason] ?? 0) + 1;
      continue;
    }
    const [openTimeMs, open, high, low, close, volume] = row as number[];
    if (!isClosed(openTimeMs!, timeframe, nowMs)) {
      unfinished += 1;
      continue;
    }
    if (byTime.has(openTimeMs!)) {
      duplicates += 1;
      continue;
    }
    byTime.set(openTimeMs!, { openTimeMs: openTimeMs!, open: open!, high: high!, low: low!, close: close!, volume: volume! });
  }
  const accepted = [...byTime.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
  return { accepted, rejected, unfinished, duplicates };
}

/** Adds one refusal tally into another (for run totals). */
export function addRejections(
  into: Partial<Record<RejectReason, number>>,
  from: Partial<Record<RejectReason, number>>,
): void {
  for (const [reason, count] of Object.entries(from) as [RejectReason, number][]) {
    into[reason] = (into[reason] ?? 0) + count;
  }
}
