import { describe, expect, it } from 'vitest';
import { bollinger, sma } from '../../../lib/indicators/index.ts';
import { expectSeries, randomWalk } from './series-assert.ts';

/** Two-pass population σ per window: the slow, exact reference. */
function naiveStd(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period - 1; i < values.length; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
    const mean = sum / period;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j++) squares += (values[j]! - mean) ** 2;
    out[i] = Math.sqrt(squares / period);
  }
  return out;
}

describe('bollinger', () => {
  it('uses the population standard deviation (ddof 0)', () => {
    // Window [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population σ exactly 2 (sample σ would be 2.14).
    const bands = bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, 2);
    expect(bands.middle[7]).toBeCloseTo(5, 12);
    expect(bands.upper[7]).toBeCloseTo(9, 12);
    expect(bands.lower[7]).toBeCloseTo(1, 12);
  });

  it('hand case: period 2, k 2', () => {
    const bands = bollinger([1, 2, 3, 4], 2, 2);
    expectSeries(bands.middle, [null, 1.5, 2.5, 3.5], 12);
    expectSeries(bands.upper, [null, 2.5, 3.5, 4.5], 12);
    expectSeries(bands.lower, [null, 0.5, 1.5, 2.5], 12);
  });

  it('has middle identical to sma and collapses on a constant series', () => {
    const close = Array.from({ length: 50 }, () => 60_123.45);
    const bands = bollinger(close, 20, 2);
    expect(bands.middle).toEqual(sma(close, 20));
    expectSeries(bands.upper, bands.middle, 12);
    expectSeries(bands.lower, bands.middle, 12);
  });

  it('with k = 0 gives three equal lines', () => {
    const bands = bollinger([1, 5, 2, 8, 3], 3, 0);
    expectSeries(bands.upper, bands.middle, 12);
    expectSeries(bands.lower, bands.middle, 12);
  });

  it('keeps σ accurate for high prices with a small spread, where E[x²] − E[x]² would not', () => {
    const close = randomWalk(20_000, 7, 60_000, 0.05);
    const period = 20;
    const bands = bollinger(close, period, 1);
    const sigma = naiveStd(close, period);
    let worst = 0;
    for (let i = period - 1; i < close.length; i++) {
      const got = bands.upper[i]! - bands.middle[i]!;
      worst = Math.max(worst, Math.abs(got - sigma[i]!) / sigma[i]!);
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('is NaN for windows holding a NaN and recovers after', () => {
    const bands = bollinger([1, 3, Number.NaN, 3, 5, 7], 2, 1);
    expectSeries(bands.middle, [null, 2, null, null, 4, 6], 12);
    expectSeries(bands.upper, [null, 3, null, null, 5, 7], 12);
    expectSeries(bands.lower, [null, 1, null, null, 3, 5], 12);
  });

  it('defaults to period 20 and k 2', () => {
    const close = Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? 10 : 12));
    const bands = bollinger(close);
    expect(Number.isNaN(bands.upper[18]!)).toBe(true);
    expect(bands.upper[19]).toBeCloseTo(13, 12); // mean 11, σ 1
  });
});
