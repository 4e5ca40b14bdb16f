/** Exchange-side gaps: spans of 15m candles that Binance never produced (outages). */
import type { GapController, GapRange } from './types.ts';

/**
 * Holds the gap rules and answers whether one 15m candle is missing.
 * @example
 * const gaps = new GapStore();
 * gaps.add({ symbol: 'BTCUSDT', fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 1, 2) });
 * gaps.isMissing('BTCUSDT', Date.UTC(2024, 0, 1, 1)); // true
 */
export class GapStore implements GapController {
  private ranges: GapRange[] = [];

  add(gap: GapRange): void {
    if (!Number.isFinite(gap.fromMs) || !Number.isFinite(gap.toMs) || gap.toMs <= gap.fromMs) {
      throw new Error(`gap needs finite fromMs < toMs, got [${gap.fromMs}, ${gap.toMs})`);
    }
    this.ranges.push({ ...gap });
  }

  clear(): void {
    this.ranges = [];
  }

  /** True when the 15m candle of `symbol` opening at `openTimeMs` falls in a gap. */
  isMissing(symbol: string, openTimeMs: number): boolean {
    return this.ranges.some(
      (gap) => (gap.symbol === undefined || gap.symbol === symbol) && openTimeMs >= gap.fromMs && openTimeMs < gap.toMs,
    );
  }
}
