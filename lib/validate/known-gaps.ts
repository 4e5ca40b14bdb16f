/**
 * Exchange gaps the validate job has already confirmed (the exchange itself has no candles
 * there), remembered in the lake so they are reported once, not every day.
 * Key: `quality/known-gaps/exchange=<id>.json`.
 */
import type { Timeframe } from '../config/universe.ts';
import type { ObjectStore } from '../object-store/types.ts';

export interface KnownGap {
  symbol: string;
  timeframe: Timeframe;
  fromMs: number;
  toMs: number;
  /** When the exchange was asked and had nothing. */
  confirmedAt: string;
}

export function knownGapsKey(exchange: string): string {
  return `quality/known-gaps/exchange=${exchange}.json`;
}

export async function loadKnownGaps(store: ObjectStore, exchange: string): Promise<KnownGap[]> {
  const got = await store.get(knownGapsKey(exchange));
  if (!got) return [];
  return (JSON.parse(Buffer.from(got.body).toString('utf8')) as { gaps: KnownGap[] }).gaps;
}

export async function saveKnownGaps(store: ObjectStore, exchange: string, gaps: readonly KnownGap[]): Promise<void> {
  const sorted = [...gaps].sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe) || a.fromMs - b.fromMs);
  await store.put(knownGapsKey(exchange), JSON.stringify({ gaps: sorted }, null, 1), { contentType: 'application/json' });
}

/** Whether [fromMs, toMs] of a series lies inside a known exchange gap. */
export function isKnown(known: readonly KnownGap[], symbol: string, timeframe: Timeframe, fromMs: number, toMs: number): boolean {
  return known.some((g) => g.symbol === symbol && g.timeframe === timeframe && g.fromMs <= fromMs && g.toMs >= toMs);
}
