/**
 * The request-weight budget shared by every request of one exchange client. ccxt's own
 * limiter paces requests; this adds what ccxt does not know: the weight the whole IP has used
 * (the live trader shares it), and exchange-imposed cool-downs after 429/418.
 */

export interface RateBudgetOptions {
  /** Exchange limit per minute, e.g. 6000. */
  weightLimitPerMinute: number;
  /** Our own share of that limit per minute. */
  share: number;
  /** Pause when the IP's reported weight this minute passes this share of the limit. */
  ipCeilingShare: number;
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const MINUTE_MS = 60_000;

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tracks weight per wall-clock minute (Binance counts per calendar minute) and makes callers wait
 * when either our share or the IP ceiling would be passed.
 * @example
 * const budget = new RateBudget({ weightLimitPerMinute: 6000, share: 0.2, ipCeilingShare: 0.8 });
 * await budget.acquire(2); // before a klines request
 */
export class RateBudget {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private windowStartMs = 0;
  private ownWeightInWindow = 0;
  private ipWeightInWindow = 0;
  private coolDownUntilMs = 0;
  /** Every wait this budget imposed, in ms (for the run record and tests). */
  readonly waits: number[] = [];

  constructor(private readonly options: RateBudgetOptions) {
    this.now = options.nowMs ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  private get ownLimit(): number {
    return this.options.weightLimitPerMinute * this.options.share;
  }

  private get ipCeiling(): number {
    return this.options.weightLimitPerMinute * this.options.ipCeilingShare;
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    if (start !== this.windowStartMs) {
      this.windowStartMs = start;
      this.ownWeightInWindow = 0;
      this.ipWeightInWindow = 0;
    }
  }

  /** Waits until a request of `weight` fits, then books it. */
  async acquire(weight: number): Promise<void> {
    for (;;) {
      const nowMs = this.now();
      if (nowMs < this.coolDownUntilMs) {
        await this.wait(this.coolDownUntilMs - nowMs);
        continue;
      }
      this.roll(nowMs);
      const overOwn = this.ownWeightInWindow > 0 && this.ownWeightInWindow + weight > this.ownLimit;
      const overIp = this.ipWeightInWindow + weight > this.ipCeiling;
      if (!overOwn && !overIp) {
        this.ownWeightInWindow += weight;
        return;
      }
      await this.wait(this.windowStartMs + MINUTE_MS - nowMs);
    }
  }

  /** Records the IP-wide weight the exchange reported in a response header. */
  observeIpWeight(usedWeight1m: number): void {
    this.roll(this.now());
    this.ipWeightInWindow = Math.max(this.ipWeightInWindow, usedWeight1m);
  }

  /** Stops every request until `untilMs` (after a 429/418 with Retry-After). */
  coolDown(forMs: number): void {
    this.coolDownUntilMs = Math.max(this.coolDownUntilMs, this.now() + forMs);
  }

  private async wait(ms: number): Promise<void> {
    this.waits.push(ms);
    await this.sleep(ms);
  }
}
