import { describe, expect, it } from 'vitest';
import { sma } from '../../../lib/indicators/index.ts';
import { expectSeries, randomWalk } from './series-assert.ts';

/** O(n·period) reference: sum each window afresh. */
function naiveSma(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period - 1; i < values.length; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
    out[i] = sum / period;
  }
  return out;
}

describe('sma', () => {
  it.each([
    ['SMA(3) of 1..6', [1, 2, 3, 4, 5, 6], 3, [null, null, 2, 3, 4, 5]],
    ['period 1 is the input', [4, -1, 2.5], 1, [4, -1, 2.5]],
    ['period equal to the length', [1, 2, 3], 3, [null, null, 2]],
    ['period longer than the series', [1, 2], 3, [null, null]],
    ['empty input', [], 2, []],
  ] as const)('%s', (_name, values, period, expected) => {
    expectSeries(sma(values, period), expected, 12);
  });

  it('returns a Float64Array of the input length for a plain array', () => {
    const out = sma([1, 2, 3], 2);
    expect(out).toBeInstanceOf(Float64Array);
    expect(out).toHaveLength(3);
  });

  it('is NaN for windows holding a NaN or Infinity, and recovers after', () => {
    expectSeries(sma([1, Number.NaN, 3, 5, Number.POSITIVE_INFINITY, 7, 9], 2), [null, null, null, 4, null, null, 8], 12);
  });

  it('forgets the rounding of a huge value once it leaves the window', () => {
    // A plain rolling sum loses the 1s added to 1e17 and gives 0 here; the compensated one does not.
    expectSeries(sma([1e17, 1, 1, 1, 1], 2), [null, 5e16, 1, 1, 1], 12);
  });

  it.each([1, 2, 7, 50, 200])('equals the naive O(n·p) mean within 1e-9 relative, period %i', (period) => {
    const values = randomWalk(100_000, period, 60_000, 50);
    const fast = sma(values, period);
    const slow = naiveSma(values, period);
    let worst = 0;
    for (let i = period - 1; i < values.length; i++) {
      worst = Math.max(worst, Math.abs(fast[i]! - slow[i]!) / Math.abs(slow[i]!));
    }
    expect(worst).toBeLessThan(1e-9);
  });
});
