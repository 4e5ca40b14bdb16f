/**
 * Request weight, as Binance counts it: each endpoint costs a fixed weight (futures klines by
 * page size), summed per API and per wall-clock minute, reported in `x-mbx-used-weight(-1m)`
 * and refused with 429 once the minute's budget would be exceeded.
 */

/** Spot (`/api/v3`) and USD-M futures (`/fapi`, `/futures/data`) keep separate budgets, as on Binance. */
export type WeightBucket = 'spot' | 'futures';

/** Spot endpoint weights (Binance spot API docs). */
export const SPOT_WEIGHTS = { ping: 1, time: 1, exchangeInfo: 20, klines: 2 } as const;

/** USD-M futures endpoint weights, klines aside (Binance derivatives docs). */
export const FUTURES_WEIGHTS = { ping: 1, time: 1, exchangeInfo: 1 } as const;

/**
 * USD-M derivatives statistics weights: funding history shares a separate 500/5 min limit
 * (not modelled) and costs 1 here; the `/futures/data` statistics weigh 0 on Binance.
 */
export const FUTURES_DATA_WEIGHTS = { fundingRate: 1, openInterestHist: 0, globalLongShortAccountRatio: 0 } as const;

/**
 * USD-M klines weight by page size: [1,100) 1, [100,500) 2, [500,1000] 5, above 10.
 * @example futuresKlinesWeight(1000) // 5
 */
export function futuresKlinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

/**
 * Per-minute weight counters. Minutes are wall-clock minutes (Binance resets on the minute),
 * independent of the market clock, which a replay may move freely.
 * @example
 * const meter = new WeightMeter(6000);
 * meter.tryConsume('spot', 20); // true
 * meter.used('spot'); // 20
 */
export class WeightMeter {
  private minute = -1;
  private readonly usedInMinute = new Map<WeightBucket, number>();

  constructor(
    readonly limitPerMinute: number,
    private readonly wallClock: () => number = Date.now,
  ) {
    if (!(Number.isInteger(limitPerMinute) && limitPerMinute > 0)) {
      throw new Error(`weightLimitPerMinute must be a positive integer, got ${limitPerMinute}`);
    }
  }

  /** Weight used in the current minute. */
  used(bucket: WeightBucket): number {
    this.roll();
    return this.usedInMinute.get(bucket) ?? 0;
  }

  /** Adds the weight unless that would pass the limit; says whether it did. */
  tryConsume(bucket: WeightBucket, weight: number): boolean {
    const used = this.used(bucket);
    if (used + weight > this.limitPerMinute) return false;
    this.usedInMinute.set(bucket, used + weight);
    return true;
  }

  /** Whole seconds until the counters reset, at least 1: the `Retry-After` of a 429. */
  secondsToNextMinute(): number {
    const now = this.wallClock();
    return Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
  }

  private roll(): void {
    const minute = Math.floor(this.wallClock() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.usedInMinute.clear();
    }
  }
}
