import { describe, expect, it } from 'vitest';
import { ema, macd } from '../../../lib/indicators/index.ts';
import { expectSeries, randomWalk } from './series-assert.ts';

describe('macd', () => {
  const close = randomWalk(120, 3, 100, 2);

  it('starts the line at slow - 1 and signal and histogram at slow + signal - 2', () => {
    const lines = macd(close);
    expect(Number.isNaN(lines.macd[24]!)).toBe(true);
    expect(Number.isNaN(lines.macd[25]!)).toBe(false);
    expect(Number.isNaN(lines.signal[32]!)).toBe(true);
    expect(Number.isNaN(lines.signal[33]!)).toBe(false);
    expect(Number.isNaN(lines.histogram[32]!)).toBe(true);
    expect(Number.isNaN(lines.histogram[33]!)).toBe(false);
  });

  it('seeds the fast EMA on the fast closes ending at slow - 1, as TA-Lib', () => {
    const [fast, slow] = [12, 26];
    const lines = macd(close, fast, slow, 9);
    // A standalone EMA over close[slow - fast ..] is seeded exactly there.
    const fastLine = ema(close.subarray(slow - fast), fast);
    const slowLine = ema(close, slow);
    for (let i = slow - 1; i < close.length; i++) {
      expect(lines.macd[i]).toBeCloseTo(fastLine[i - (slow - fast)]! - slowLine[i]!, 12);
    }
  });

  it('makes the signal the EMA of the line from its first value, and histogram the difference', () => {
    const lines = macd(close, 3, 5, 2);
    expectSeries(lines.signal.subarray(4), ema(lines.macd.subarray(4), 2), 12);
    for (let i = 5; i < close.length; i++) {
      expect(lines.histogram[i]).toBeCloseTo(lines.macd[i]! - lines.signal[i]!, 12);
    }
  });

  it('hand case: fast 1, slow 2, signal 1', () => {
    // EMA(1) is the close; EMA(2) is seeded with mean(c0, c1) then alpha 2/3.
    const lines = macd([1, 3, 6], 1, 2, 1);
    // Index 1: 3 − 2 = 1. Index 2: slow = 2 + (6 − 2)·2/3 = 14/3, so 6 − 14/3 = 4/3.
    expectSeries(lines.macd, [null, 1, 4 / 3], 12);
    expectSeries(lines.signal, [null, 1, 4 / 3], 12);
    expectSeries(lines.histogram, [null, 0, 0], 12);
  });

  it('shifts everything by the count of leading NaNs', () => {
    const padded = new Float64Array([Number.NaN, Number.NaN, ...close]);
    const plain = macd(close, 5, 13, 4);
    const shifted = macd(padded, 5, 13, 4);
    expectSeries(shifted.macd.subarray(2), plain.macd, 12);
    expectSeries(shifted.signal.subarray(2), plain.signal, 12);
    expect(Number.isNaN(shifted.macd[13]!)).toBe(true);
  });
});
