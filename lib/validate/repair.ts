/**
 * Self-repair of a gap: ask the exchange for exactly the gap's window through the update job's
 * own page loop (same rate budget, retries and row checks) and write what it has with the same
 * idempotent write. What the exchange does not have is an exchange gap, remembered as such.
 */
import type { Timeframe } from '../config/universe.ts';
import { timeframeMs } from '../candles/timeframe.ts';
import type { Candle } from '../candles/types.ts';
import type { CandleExchange } from '../exchange/types.ts';
import { ohlcvWrite } from '../lake/ohlcv-store.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { emptySeriesReport, pageWindow } from '../update/series.ts';

export interface GapRepair {
  /** Candles the exchange had and the lake now stores. */
  repaired: number;
  /** Sub-ranges the exchange has no candles for (first and last missing open time). */
  exchangeMissing: Array<{ fromMs: number; toMs: number; missing: number }>;
}

/**
 * With `write: false` it only probes: how many candles the exchange has for the window.
 * @example const outcome = await repairGap({ store, exchange, nowMs }, 'BTC/USDT', '1h', { fromMs, toMs });
 */
export async function repairGap(
  ctx: { store: ObjectStore; exchange: CandleExchange; nowMs: number },
  symbol: string,
  timeframe: Timeframe,
  gap: { fromMs: number; toMs: number },
  options: { write: boolean } = { write: true },
): Promise<GapRepair & { available: number }> {
  const candles: Candle[] = [];
  const report = emptySeriesReport(symbol, timeframe);
  await pageWindow(ctx.exchange, symbol, timeframe, gap, ctx.nowMs, report, async (page) => {
    candles.push(...page);
  });
  let repaired = 0;
  if (options.write && candles.length > 0) {
    const written = await ohlcvWrite(ctx.store, { exchange: ctx.exchange.id, symbol, timeframe }, candles);
    repaired = written.written;
  }
  // Whatever the exchange did not return inside the window, it does not have.
  const have = new Set(candles.map((c) => c.openTimeMs));
  const step = timeframeMs(timeframe);
  const exchangeMissing: GapRepair['exchangeMissing'] = [];
  let runStart: number | undefined;
  for (let t = gap.fromMs; t <= gap.toMs + step; t += step) {
    const missing = t <= gap.toMs && !have.has(t);
    if (missing && runStart === undefined) runStart = t;
    if (!missing && runStart !== undefined) {
      exchangeMissing.push({ fromMs: runStart, toMs: t - step, missing: (t - runStart) / step });
      runStart = undefined;
    }
  }
  return { repaired, available: candles.length, exchangeMissing };
}
