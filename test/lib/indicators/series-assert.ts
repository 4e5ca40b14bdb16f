/**
 * Assertions for indicator output: same length, NaN exactly where the reference has no value,
 * and values close elsewhere. Reference series come from JSON, where NaN is written as null.
 */
import { expect } from 'vitest';

/** A series as stored in a JSON fixture: null where the reference has NaN. */
export type JsonSeries = ReadonlyArray<number | null>;

/**
 * Asserts `actual` matches `expected` position by position: NaN where expected is null or NaN,
 * and within `10^-digits / 2` elsewhere (vitest's `toBeCloseTo` rule).
 * @example expectSeries(sma([1, 2, 3], 2), [null, 1.5, 2.5], 12)
 */
export function expectSeries(actual: ArrayLike<number>, expected: JsonSeries | ArrayLike<number>, digits: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] ?? Number.NaN;
    const got = actual[i]!;
    if (Number.isNaN(want)) {
      expect(got, `index ${i}`).toBeNaN();
    } else {
      expect(got, `index ${i}`).toBeCloseTo(want, digits);
    }
  }
}

/**
 * Asserts every value of `actual` is within `tolerance` of `expected`, for published tables
 * printed to a fixed number of decimals.
 * @example expectWithin([70.46], [70.53], 0.1)
 */
export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  }
}

/**
 * A JSON series as numbers, null becoming NaN: inputs for indicators.
 * @example toNumbers([null, 1]) // Float64Array [NaN, 1]
 */
export function toNumbers(series: JsonSeries): Float64Array {
  const out = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) out[i] = series[i] ?? Number.NaN;
  return out;
}

/**
 * A deterministic pseudo-random series (32-bit LCG), so property checks are repeatable.
 * @example randomWalk(1000, 42, 60_000) // 1000 prices starting near 60 000
 */
export function randomWalk(length: number, seed: number, start: number, stepScale = 1): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(length);
  let price = start;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    price += (state / 2 ** 32 - 0.5) * stepScale;
    out[i] = price;
  }
  return out;
}
