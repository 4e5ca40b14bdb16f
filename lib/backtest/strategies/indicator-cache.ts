/**
 * Memoised indicator arrays for one series. A grid of 100 (fast, slow) pairs needs only the 20
 * distinct moving averages; every strategy asks the cache instead of recomputing.
 */
import type { Bars } from '../types.ts';

export class IndicatorCache {
  private readonly arrays = new Map<string, unknown>();

  constructor(readonly bars: Bars) {}

  /**
   * Returns the value stored under `key`, computing it once.
   * @example const fast = cache.get(`sma:${p.fast}`, () => sma(bars.close, p.fast));
   */
  get<T>(key: string, compute: () => T): T {
    let value = this.arrays.get(key) as T | undefined;
    if (value === undefined) {
      value = compute();
      this.arrays.set(key, value);
    }
    return value;
  }
}
