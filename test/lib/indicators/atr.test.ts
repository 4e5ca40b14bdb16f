import { describe, expect, it } from 'vitest';
import { atr, trueRange } from '../../../lib/indicators/index.ts';
import { expectSeries } from './series-assert.ts';

describe('trueRange', () => {
  it.each([
    ['range alone', [11, 12], [9, 10], [10, 11], [null, 2]],
    ['gap up: previous close below the low', [10, 14], [9, 13], [9.5, 13.5], [null, 4.5]],
    ['gap down: previous close above the high', [20, 15], [18, 14], [19, 14.5], [null, 5]],
  ] as const)('%s', (_name, high, low, close, expected) => {
    expectSeries(trueRange(high, low, close), expected, 12);
  });

  it('is NaN when any input of the bar is NaN', () => {
    expectSeries(trueRange([10, 11, 12], [9, 10, 11], [Number.NaN, 10.5, 11.5]), [null, null, 1.5], 12);
  });
});

describe('atr', () => {
  const high = [10, 11, 12, 12.5, 13];
  const low = [9, 10, 10, 11.5, 11];
  const close = [9.5, 10.5, 11, 12, 12.5];
  // TR from index 1: 1.5, 2, 1.5, 2.

  it('seeds with the mean of TR[1..period] at index period, then smooths as Wilder', () => {
    // Seed (1.5 + 2) / 2 = 1.75; then (1.75·1 + 1.5)/2 = 1.625; then (1.625 + 2)/2 = 1.8125.
    expectSeries(atr(high, low, close, 2), [null, null, 1.75, 1.625, 1.8125], 12);
  });

  it('with period 1 is the true range', () => {
    expectSeries(atr(high, low, close, 1), trueRange(high, low, close), 12);
  });

  it('is all NaN when there are not period + 1 bars', () => {
    expectSeries(atr(high.slice(0, 3), low.slice(0, 3), close.slice(0, 3), 3), [null, null, null], 12);
  });

  it('skips leading bars where any input is NaN', () => {
    const out = atr([Number.NaN, ...high], [0, ...low], [0, ...close], 2);
    expectSeries(out, [null, null, null, 1.75, 1.625, 1.8125], 12);
  });

  it('defaults to period 14, first value at index 14', () => {
    const n = 20;
    const out = atr(
      Array.from({ length: n }, () => 2),
      Array.from({ length: n }, () => 1),
      Array.from({ length: n }, () => 1.5),
    );
    expect(Number.isNaN(out[13]!)).toBe(true);
    expect(out[14]).toBe(1);
  });
});
