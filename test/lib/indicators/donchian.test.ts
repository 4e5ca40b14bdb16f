import { describe, expect, it } from 'vitest';
import { donchian } from '../../../lib/indicators/index.ts';
import { expectSeries, randomWalk } from './series-assert.ts';

/** O(n·period) reference. */
function naiveExtreme(values: Float64Array, period: number, max: boolean): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period - 1; i < values.length; i++) {
    let best = values[i - period + 1]!;
    for (let j = i - period + 2; j <= i; j++) best = max ? Math.max(best, values[j]!) : Math.min(best, values[j]!);
    out[i] = best;
  }
  return out;
}

describe('donchian', () => {
  it('includes the current bar in the window', () => {
    const channel = donchian([3, 5, 4, 2, 6], [1, 2, 3, 1, 4], 2);
    expectSeries(channel.upper, [null, 5, 5, 4, 6], 12);
    expectSeries(channel.lower, [null, 1, 2, 1, 1], 12);
    expectSeries(channel.middle, [null, 3, 3.5, 2.5, 3.5], 12);
  });

  it('with period 1 is the bar itself', () => {
    const channel = donchian([3, 5, 4], [1, 2, 3], 1);
    expectSeries(channel.upper, [3, 5, 4], 12);
    expectSeries(channel.lower, [1, 2, 3], 12);
  });

  it('handles ties and a maximum that expires from the front', () => {
    const channel = donchian([5, 5, 1, 1, 1, 2], [0, 0, 0, 0, 0, 0], 3);
    expectSeries(channel.upper, [null, null, 5, 5, 1, 2], 12);
  });

  it.each([2, 3, 20, 97])('equals the naive rolling max/min on random data, period %i', (period) => {
    // Rounded to whole units so equal values (ties) are common.
    const mid = randomWalk(5_000, period, 1_000, 8).map(Math.round);
    const high = mid.map((x, i) => x + (i % 3));
    const low = mid.map((x, i) => x - (i % 5));
    const channel = donchian(high, low, period);
    expect(channel.upper).toEqual(naiveExtreme(high, period, true));
    expect(channel.lower).toEqual(naiveExtreme(low, period, false));
  });

  it('is NaN while a NaN is in the window, for the side it is on', () => {
    const channel = donchian([3, Number.NaN, 4, 2, 6], [1, 2, 3, 1, 4], 2);
    expectSeries(channel.upper, [null, null, null, 4, 6], 12);
    expectSeries(channel.lower, [null, 1, 2, 1, 1], 12);
    expectSeries(channel.middle, [null, null, null, 2.5, 3.5], 12);
  });

  it('defaults to period 20', () => {
    const high = Array.from({ length: 21 }, (_, i) => i);
    const channel = donchian(high, high);
    expect(Number.isNaN(channel.upper[18]!)).toBe(true);
    expect(channel.upper[19]).toBe(19);
    expect(channel.lower[20]).toBe(1);
  });
});
