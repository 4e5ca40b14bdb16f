// Every indicator against TA-Lib on one fixed OHLC series (fixtures/README.md says how it was made).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atr, bollinger, donchian, ema, macd, rsi, sma, trueRange } from '../../../lib/indicators/index.ts';
import { expectSeries, type JsonSeries, toNumbers } from './series-assert.ts';

interface Reference {
  input: { high: JsonSeries; low: JsonSeries; close: JsonSeries };
  sma: Record<string, JsonSeries>;
  ema: Record<string, JsonSeries>;
  rsi: Record<string, JsonSeries>;
  atr: Record<string, JsonSeries>;
  trueRange: JsonSeries;
  bollinger: Record<string, { upper: JsonSeries; middle: JsonSeries; lower: JsonSeries }>;
  macd: Record<string, { macd: JsonSeries; signal: JsonSeries; histogram: JsonSeries; macdFromSignal1: JsonSeries }>;
  donchian: Record<string, { upper: JsonSeries; lower: JsonSeries }>;
  edgeCases: Record<'flatClose' | 'rsi14OfFlat' | 'leadingNanClose' | 'ema5OfLeadingNan' | 'rsi5OfLeadingNan', JsonSeries>;
}

const reference = JSON.parse(
  readFileSync(new URL('./fixtures/talib-reference.json', import.meta.url), 'utf8'),
) as Reference;
const high = toNumbers(reference.input.high);
const low = toNumbers(reference.input.low);
const close = toNumbers(reference.input.close);
// Prices are near 100, so 10 decimals is ~12 significant digits. Measured differences are at most
// 5e-13 (Bollinger, where TA-Lib's E[x²] − E[x]² rounds more than our anchored sums) and most
// EMA, RSI, ATR and MACD values are bit-identical.
const DIGITS = 10;

/** Cases of one indicator family: [parameter key, expected]. */
function cases<T>(table: Record<string, T>): [string, T][] {
  return Object.entries(table);
}

describe('against TA-Lib', () => {
  it('uses a series long enough to leave every warm-up behind', () => {
    expect(close.length).toBe(300);
  });

  it.each(cases(reference.sma))('sma(close, %s)', (period, expected) => {
    expectSeries(sma(close, Number(period)), expected, DIGITS);
  });

  it.each(cases(reference.ema))('ema(close, %s)', (period, expected) => {
    expectSeries(ema(close, Number(period)), expected, DIGITS);
  });

  it.each(cases(reference.rsi))('rsi(close, %s)', (period, expected) => {
    expectSeries(rsi(close, Number(period)), expected, DIGITS);
  });

  it.each(cases(reference.atr))('atr(high, low, close, %s)', (period, expected) => {
    expectSeries(atr(high, low, close, Number(period)), expected, DIGITS);
  });

  it('trueRange matches TRANGE', () => {
    expectSeries(trueRange(high, low, close), reference.trueRange, DIGITS);
  });

  it.each(cases(reference.bollinger))('bollinger(close, %s) matches BBANDS', (params, expected) => {
    const [period, k] = params.split(',').map(Number) as [number, number];
    const bands = bollinger(close, period, k);
    expectSeries(bands.middle, expected.middle, DIGITS);
    expectSeries(bands.upper, expected.upper, DIGITS);
    expectSeries(bands.lower, expected.lower, DIGITS);
  });

  it.each(cases(reference.macd))('macd(close, %s)', (params, expected) => {
    const [fast, slow, signal] = params.split(',').map(Number) as [number, number, number];
    const lines = macd(close, fast, slow, signal);
    expectSeries(lines.signal, expected.signal, DIGITS);
    expectSeries(lines.histogram, expected.histogram, DIGITS);
    // TA-Lib blanks the line until the signal exists; we give it from index slow - 1, with
    // the values TA-Lib shows when the signal period is 1.
    expectSeries(lines.macd, expected.macdFromSignal1, DIGITS);
    const firstSignal = slow + signal - 2;
    expectSeries(lines.macd.subarray(firstSignal), expected.macd.slice(firstSignal), DIGITS);
  });

  it.each(cases(reference.donchian))('donchian(high, low, %s) matches MAX(high) / MIN(low)', (period, expected) => {
    const channel = donchian(high, low, Number(period));
    expectSeries(channel.upper, expected.upper, DIGITS);
    expectSeries(channel.lower, expected.lower, DIGITS);
  });

  it('gives RSI 0 on a series that never changes, as TA-Lib', () => {
    const flat = toNumbers(reference.edgeCases.flatClose);
    expectSeries(rsi(flat, 14), reference.edgeCases.rsi14OfFlat, DIGITS);
  });

  it('skips leading NaNs in ema and rsi, as TA-Lib', () => {
    const input = toNumbers(reference.edgeCases.leadingNanClose);
    expectSeries(ema(input, 5), reference.edgeCases.ema5OfLeadingNan, DIGITS);
    expectSeries(rsi(input, 5), reference.edgeCases.rsi5OfLeadingNan, DIGITS);
  });
});
