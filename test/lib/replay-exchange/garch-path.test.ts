/**
 * The replay exchange's synthetic market (`priceModel: 'garch'`): deterministic for a seed,
 * volatility that clusters, volume that follows the size of the move, and a plausible level of
 * volatility; and the label that says it is synthetic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GARCH_DEFAULTS, GarchPath } from '../../../lib/replay-exchange/binance/garch-path.ts';
import { CandleSeries, INTERVALS_MS, type Candle } from '../../../lib/replay-exchange/binance/market-data.ts';
import { parseDecimalUnit } from '../../../lib/replay-exchange/binance/decimals.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../../lib/replay-exchange/binance/index.ts';

const DAY_MS = 86_400_000;
const ORIGIN_MS = Date.UTC(2024, 0, 1);
const STEP_MS = 15 * 60_000;
const originIndex = ORIGIN_MS / STEP_MS;

function pathPrices(path: GarchPath, steps: number, from = 0): number[] {
  return Array.from({ length: steps }, (_, k) => path.logPriceAt(originIndex + from + k));
}

function hourlyCandles(seed: number, symbol: string, days: number): Candle[] {
  const series = new CandleSeries({
    symbol, basePrice: 3000, tick: parseDecimalUnit('0.01'), step: parseDecimalUnit('0.0001'), listedAtMs: ORIGIN_MS, priceModel: 'garch', seed,
  });
  const view = { nowMs: ORIGIN_MS + (days + 1) * DAY_MS, isMissing: () => false };
  const hour = INTERVALS_MS['1h']!;
  return Array.from({ length: days * 24 }, (_, k) => series.candle(hour, ORIGIN_MS + k * hour, view)!);
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const autocorrelation = (xs: readonly number[], lag: number) => correlation(xs.slice(lag), xs.slice(0, -lag));

describe('GarchPath', () => {
  it('is deterministic for a seed, and independent of the order steps are asked for', () => {
    const forward = pathPrices(new GarchPath({ symbol: 'ETHUSDT', seed: 7, originMs: ORIGIN_MS }), 2_000);
    const lateFirst = new GarchPath({ symbol: 'ETHUSDT', seed: 7, originMs: ORIGIN_MS });
    const tail = pathPrices(lateFirst, 1_000, 1_000);
    expect([...pathPrices(lateFirst, 1_000), ...tail]).toEqual(forward);
    expect(pathPrices(new GarchPath({ symbol: 'ETHUSDT', seed: 8, originMs: ORIGIN_MS }), 2_000)).not.toEqual(forward);
    expect(pathPrices(new GarchPath({ symbol: 'BTCUSDT', seed: 7, originMs: ORIGIN_MS }), 2_000)).not.toEqual(forward);
  });

  it('starts at the base level and stays in a plausible range over two years', () => {
    const path = new GarchPath({ symbol: 'SOLUSDT', seed: 1, originMs: ORIGIN_MS });
    expect(path.logPriceAt(originIndex)).toBe(0);
    const logs = pathPrices(path, 2 * 365 * 96);
    expect(Math.max(...logs.map(Math.abs))).toBeLessThan(Math.log(10));
  });

  it('rejects parameters without a stationary variance', () => {
    expect(() => new GarchPath({ symbol: 'X', seed: 1, originMs: 0, params: { ...GARCH_DEFAULTS, alpha: 0.1, beta: 0.95 } })).toThrow(/α \+ β < 1/);
  });
});

describe("CandleSeries with priceModel 'garch'", () => {
  // One year of hourly candles of three symbols.
  const years = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].map((symbol) => hourlyCandles(1, symbol, 365));

  it('serves the same candles for the same seed and different ones for another', () => {
    const again = hourlyCandles(1, 'BTCUSDT', 10);
    expect(again).toEqual(years[0]!.slice(0, 240));
    expect(hourlyCandles(2, 'BTCUSDT', 10)).not.toEqual(again);
  });

  it.each([0, 1, 2])('clusters volatility: |returns| are autocorrelated, shuffled ones are not (symbol %i)', (k) => {
    const absReturns = years[k]!.map((c) => Math.abs(Math.log(c.closeTicks / c.openTicks)));
    const acf = [1, 2, 5, 10, 24].map((lag) => autocorrelation(absReturns, lag));
    for (const value of acf) expect(value).toBeGreaterThan(0.05);
    expect(acf[0]).toBeGreaterThan(0.1);
    // Raw returns are (nearly) uncorrelated: no free lunch from yesterday's sign.
    const returns = years[k]!.map((c) => Math.log(c.closeTicks / c.openTicks));
    expect(Math.abs(autocorrelation(returns, 1))).toBeLessThan(0.05);
  });

  it.each([0, 1, 2])('makes volume rise with the size of the move (symbol %i)', (k) => {
    const candles = years[k]!;
    expect(correlation(candles.map((c) => Math.abs(Math.log(c.closeTicks / c.openTicks))), candles.map((c) => c.quoteVolume))).toBeGreaterThan(0.3);
  });

  it('has crypto-like volatility: 30–100 % a year from hourly returns', () => {
    for (const candles of years) {
      const returns = candles.map((c) => Math.log(c.closeTicks / c.openTicks));
      const annualVol = Math.sqrt((returns.reduce((s, r) => s + r * r, 0) / returns.length) * 24 * 365);
      expect(annualVol).toBeGreaterThan(0.3);
      expect(annualVol).toBeLessThan(1);
    }
  });

  it('keeps OHLC consistent: low ≤ open, close ≤ high, volume > 0', () => {
    for (const c of years[1]!) {
      expect(c.lowTicks).toBeLessThanOrEqual(Math.min(c.openTicks, c.closeTicks));
      expect(c.highTicks).toBeGreaterThanOrEqual(Math.max(c.openTicks, c.closeTicks));
      expect(c.volumeSteps).toBeGreaterThan(0);
    }
  });
});

describe('the synthetic label in exchangeInfo', () => {
  let garch: BinanceStandIn;
  let waves: BinanceStandIn;
  beforeAll(async () => {
    garch = await startBinanceStandIn({ priceModel: 'garch', seed: 3, now: () => Date.UTC(2024, 5, 1) });
    waves = await startBinanceStandIn({ now: () => Date.UTC(2024, 5, 1) });
  });
  afterAll(async () => {
    await Promise.all([garch.close(), waves.close()]);
  });

  it.each(['/api/v3/exchangeInfo', '/fapi/v1/exchangeInfo'])('%s says synthetic under garch, nothing by default', async (path) => {
    const labelled = (await (await fetch(`${garch.url}${path}`)).json()) as { synthetic?: string };
    expect(labelled.synthetic).toMatch(/synthetic GARCH\(1,1\) market, seed 3; not real prices/);
    const plain = (await (await fetch(`${waves.url}${path}`)).json()) as { synthetic?: string };
    expect(plain.synthetic).toBeUndefined();
  });
});
