import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../lib/exchange/rate-budget.ts';

function fakeTime(startMs: number) {
  let now = startMs;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe('RateBudget', () => {
  it('keeps our own weight within share × limit per minute, then waits for the next minute', async () => {
    const time = fakeTime(Date.UTC(2024, 0, 1, 0, 0, 10));
    // 20% of 100 = 20 weight a minute: ten klines requests of weight 2.
    const budget = new RateBudget({ weightLimitPerMinute: 100, share: 0.2, ipCeilingShare: 0.8, nowMs: time.now, sleep: time.sleep });
    for (let i = 0; i < 10; i += 1) await budget.acquire(2);
    expect(time.slept).toEqual([]);
    await budget.acquire(2);
    expect(time.slept).toEqual([50_000]);
    expect(time.now()).toBe(Date.UTC(2024, 0, 1, 0, 1, 0));
  });

  it('pauses when the whole IP (the live trader included) nears the exchange limit', async () => {
    const time = fakeTime(Date.UTC(2024, 0, 1, 0, 0, 30));
    const budget = new RateBudget({ weightLimitPerMinute: 6000, share: 0.2, ipCeilingShare: 0.8, nowMs: time.now, sleep: time.sleep });
    budget.observeIpWeight(4_799);
    await budget.acquire(1);
    expect(time.slept).toEqual([]);
    budget.observeIpWeight(4_800);
    await budget.acquire(2);
    expect(time.slept).toEqual([30_000]);
  });

  it('holds every request during a cool-down after a 429', async () => {
    const time = fakeTime(Date.UTC(2024, 0, 1, 0, 0, 0, 500));
    const budget = new RateBudget({ weightLimitPerMinute: 6000, share: 0.2, ipCeilingShare: 0.8, nowMs: time.now, sleep: time.sleep });
    budget.coolDown(3_000);
    await budget.acquire(2);
    expect(time.slept).toEqual([3_000]);
  });
});
