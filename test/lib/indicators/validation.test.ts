import { describe, expect, it } from 'vitest';
import { atr, bollinger, donchian, ema, macd, rsi, sma, trueRange } from '../../../lib/indicators/index.ts';

const xs = [1, 2, 3, 4, 5];

describe('argument validation', () => {
  it.each([
    ['sma period 0', () => sma(xs, 0), /period must be a positive integer, got 0/],
    ['sma period 2.5', () => sma(xs, 2.5), /period must be a positive integer, got 2\.5/],
    ['ema period NaN', () => ema(xs, Number.NaN), /period must be a positive integer, got NaN/],
    ['rsi period -1', () => rsi(xs, -1), /period must be a positive integer/],
    ['atr period 0', () => atr(xs, xs, xs, 0), /period must be a positive integer/],
    ['atr unequal lengths', () => atr(xs, xs, [1, 2]), /close has length 2 but high has length 5/],
    ['trueRange unequal lengths', () => trueRange(xs, [1], xs), /low has length 1 but high has length 5/],
    ['bollinger period Infinity', () => bollinger(xs, Number.POSITIVE_INFINITY), /period must be a positive integer/],
    ['bollinger k negative', () => bollinger(xs, 2, -1), /k must be a finite number >= 0, got -1/],
    ['bollinger k NaN', () => bollinger(xs, 2, Number.NaN), /k must be a finite number >= 0/],
    ['macd fast 0', () => macd(xs, 0, 26, 9), /fast must be a positive integer/],
    ['macd slow 1.5', () => macd(xs, 1, 1.5, 9), /slow must be a positive integer/],
    ['macd signal 0', () => macd(xs, 12, 26, 0), /signal must be a positive integer/],
    ['macd fast not below slow', () => macd(xs, 26, 12, 9), /fast must be less than slow, got fast=26 and slow=12/],
    ['macd fast equal to slow', () => macd(xs, 5, 5, 9), /fast must be less than slow/],
    ['donchian period 0', () => donchian(xs, xs, 0), /period must be a positive integer/],
    ['donchian unequal lengths', () => donchian(xs, [1, 2, 3]), /low has length 3 but high has length 5/],
  ])('%s throws a RangeError naming it', (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('accepts a period longer than the series (all NaN, no error)', () => {
    expect(Array.from(sma(xs, 10)).every(Number.isNaN)).toBe(true);
  });
});
