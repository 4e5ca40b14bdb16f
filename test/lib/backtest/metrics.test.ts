import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../../lib/backtest/metrics.ts';
import type { Stats, StatsInput, Trade } from '../../../lib/backtest/types.ts';

const DAY = 86_400_000;
const JAN_2023 = Date.UTC(2023, 0, 1);

/** Bar times `stepMs` apart from `startMs`. */
function times(n: number, stepMs: number, startMs = JAN_2023): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => startMs + i * stepMs);
}

/** A run over `equity` with daily bars, flat closes, no trades, unless overridden. */
function input(equity: number[], over: Partial<StatsInput> = {}): StatsInput {
  const n = equity.length;
  return {
    time: times(n, DAY),
    close: new Float64Array(n).fill(100),
    equity: Float64Array.from(equity),
    trades: [],
    exposureBars: 0,
    cash: 10_000,
    periodsPerYear: 365,
    ...over,
  };
}

/** A trade with only the fields the statistics read set meaningfully. */
function trade(pnl: number, returnPct: number, durationDays: number): Trade {
  return {
    direction: 1,
    entryIndex: 0,
    exitIndex: 1,
    entryTimeMs: JAN_2023,
    exitTimeMs: JAN_2023 + durationDays * DAY,
    entryPrice: 100,
    exitPrice: 100,
    quantity: 1,
    fees: 0,
    pnl,
    returnPct,
    closedAtEnd: false,
  };
}

/** `actual` within a relative `digits` of `expected` — for annualised numbers that grow large. */
function expectRelClose(actual: number | null, expected: number, digits = 9): void {
  expect(actual).not.toBeNull();
  expect((actual as number) / expected).toBeCloseTo(1, digits);
}

describe('computeStats on a curve that ends in an unrecovered drawdown', () => {
  // Four bars a third of a year apart (365/3 days = 10,512,000,000 ms), so 2023-01-01 .. 2024-01-01
  // is exactly 365 days and periodsPerYear = 3.
  // cash 10,000; equity 10,000 → 11,000 → 9,900 → 10,890.
  // r = [10000/10000 − 1, 11000/10000 − 1, 9900/11000 − 1, 10890/9900 − 1] = [0, 0.1, −0.1, 0.1]
  // mean r = 0.1 / 4 = 0.025
  // deviations −0.025, 0.075, −0.125, 0.075 → squares sum 0.000625 + 0.005625 + 0.015625 + 0.005625 = 0.0275
  // sample var = 0.0275 / 3; std = √(0.0275/3) = 0.0957427
  // downside dev = √((−0.1)² / 4) = 0.05
  const stats = computeStats(
    input([10_000, 11_000, 9_900, 10_890], {
      time: times(4, (365 * DAY) / 3),
      close: Float64Array.from([100, 105, 95, 120]),
      exposureBars: 3,
      periodsPerYear: 3,
    }),
  );

  it.each<[keyof Stats, number | string, string]>([
    ['start', '2023-01-01T00:00:00.000Z', 'time[0]'],
    ['end', '2024-01-01T00:00:00.000Z', 'time[3]'],
    ['durationDays', 365, '3 × 365/3'],
    ['exposurePct', 75, '3 / 4 × 100'],
    ['finalEquity', 10_890, 'equity[3]'],
    ['peakEquity', 11_000, 'max(equity)'],
    ['totalReturnPct', 8.9, '(10890 / 10000 − 1) × 100'],
    ['buyHoldReturnPct', 20, '(120 / 100 − 1) × 100'],
    ['cagrPct', 8.9, '(1.089^(365/365) − 1) × 100'],
    ['annualReturnPct', 6.603364052674743, '(1.089^(3/4) − 1) × 100'],
    ['annualVolatilityPct', 16.583123951777, '√(0.0275/3) × √3 × 100 = √0.0275 × 100'],
    ['sharpe', 0.4522670168666453, '0.025 / √(0.0275/3) × √3 = 0.025 / √0.0275'],
    ['sortino', 0.8660254037844386, '0.025 / 0.05 × √3 = √3 / 2'],
    ['maxDrawdownPct', 10, '(1 − 9900 / 11000) × 100'],
    ['maxDrawdownDurationDays', 243.33333333333334, 'peak at bar 1, never regained: 2 × 365/3'],
    ['avgDrawdownPct', 10, 'one episode, 10 % deep'],
    ['calmar', 0.89, '8.9 / 10'],
  ])('%s = %s (%s)', (key, expected) => {
    if (typeof expected === 'string') expect(stats[key]).toBe(expected);
    else expect(stats[key]).toBeCloseTo(expected, 9);
  });
});

describe('drawdown episodes', () => {
  it('two episodes: the longest sets the duration, their depths average', () => {
    // Daily bars, cash 100: 100, 90, 100, 120, 96, 108, 130.
    // Episode 1: peak 100 (day 0), trough 90 = 10 %, regained on day 2 → 2 days.
    // Episode 2: peak 120 (day 3), trough 96 = 20 %, 108 still below, regained on day 6 → 3 days.
    const stats = computeStats(input([100, 90, 100, 120, 96, 108, 130], { cash: 100 }));
    expect(stats.maxDrawdownPct).toBeCloseTo(20, 9);
    expect(stats.maxDrawdownDurationDays).toBe(3);
    expect(stats.avgDrawdownPct).toBeCloseTo(15, 9); // (10 + 20) / 2
    expect(stats.peakEquity).toBe(130);
    // CAGR over 6 days: 1.3^(365/6) − 1; calmar is CAGR % over max DD %.
    expectRelClose(stats.cagrPct, (1.3 ** (365 / 6) - 1) * 100);
    expectRelClose(stats.calmar, ((1.3 ** (365 / 6) - 1) * 100) / 20);
  });

  it('a drawdown that never recovers runs to the last bar', () => {
    // cash 100: 100, 120, 110, 90, 100. Peak 120 on day 1; deepest 90 → 25 %; last bar day 4 → 3 days.
    const stats = computeStats(input([100, 120, 110, 90, 100], { cash: 100 }));
    expect(stats.maxDrawdownPct).toBeCloseTo(25, 9);
    expect(stats.maxDrawdownDurationDays).toBe(3);
    expect(stats.avgDrawdownPct).toBeCloseTo(25, 9);
  });

  it('the running peak starts at the starting cash, so a first-bar loss counts', () => {
    // cash 100: 95, 97, 101. Below cash from bar 0: (1 − 95/100) = 5 %; regained on day 2 → 2 days.
    // (backtesting.py and vectorbt start the peak at equity[0] = 95 and report 0 here.)
    const stats = computeStats(input([95, 97, 101], { cash: 100 }));
    expect(stats.maxDrawdownPct).toBeCloseTo(5, 9);
    expect(stats.maxDrawdownDurationDays).toBe(2);
    expect(stats.peakEquity).toBe(101);
  });

  it('touching the old peak exactly ends the episode', () => {
    // cash 100: 100, 80, 100, 90. Episode 1 regained on day 2 (2 days, 20 %); episode 2 from day 2 to day 3 (1 day, 10 %).
    const stats = computeStats(input([100, 80, 100, 90], { cash: 100 }));
    expect(stats.maxDrawdownDurationDays).toBe(2);
    expect(stats.avgDrawdownPct).toBeCloseTo(15, 9);
  });
});

describe('annualisation', () => {
  // cash 10,000: 10,000, 10,100, 9,999, 10,098.99 → r = [0, 0.01, −0.01, 0.01]
  // mean 0.0025; sample std √(0.000275 / 3) = 0.00957427; downside dev √(0.0001/4) = 0.005
  // growth 10098.99 / 10000 = 1.009899
  const equity = [10_000, 10_100, 9_999, 10_098.99];

  it.each([
    // annual return = 1.009899^(ppy/4) − 1; vol = 0.00957427 × √ppy; sharpe = 0.0025/0.00957427 × √ppy;
    // sortino = 0.0025/0.005 × √ppy = √ppy / 2
    { ppy: 365, annualReturnPct: 145.6757114293382, annualVolatilityPct: 18.291619210264955, sharpe: 4.988623420981346, sortino: 9.5524865872714 },
    { ppy: 8760, annualReturnPct: 233718632423.0588, annualVolatilityPct: 89.6102672688795, sharpe: 24.439163800603474, sortino: 46.79743582719036 },
  ])('periodsPerYear = $ppy', ({ ppy, ...expected }) => {
    const stats = computeStats(input(equity, { periodsPerYear: ppy }));
    expectRelClose(stats.annualReturnPct, expected.annualReturnPct);
    expectRelClose(stats.annualVolatilityPct, expected.annualVolatilityPct);
    expectRelClose(stats.sharpe, expected.sharpe);
    expectRelClose(stats.sortino, expected.sortino);
  });

  it('sharpe and volatility scale with √periodsPerYear: 8760 bars/year is √24 × 365', () => {
    const daily = computeStats(input(equity, { periodsPerYear: 365 }));
    const hourly = computeStats(input(equity, { periodsPerYear: 8760 }));
    expectRelClose(hourly.sharpe, (daily.sharpe as number) * Math.sqrt(24));
    expectRelClose(hourly.annualVolatilityPct, (daily.annualVolatilityPct as number) * Math.sqrt(24));
  });

  it.each([
    // 2023 has 365 days, 2023-01-01 .. 2025-01-01 has 731 (2024 is a leap year).
    { name: '+20 % over 365 days', end: Date.UTC(2024, 0, 1), final: 12_000, cagrPct: 20 },
    { name: '−10 % over 365 days', end: Date.UTC(2024, 0, 1), final: 9_000, cagrPct: -10 },
    { name: '+44 % over 731 days', end: Date.UTC(2025, 0, 1), final: 14_400, cagrPct: (1.44 ** (365 / 731) - 1) * 100 },
  ])('CAGR uses calendar days: $name', ({ end, final, cagrPct }) => {
    const stats = computeStats(input([10_000, final], { time: Float64Array.from([JAN_2023, end]) }));
    expect(stats.cagrPct).toBeCloseTo(cagrPct, 9);
  });

  it('r_0 is measured against the starting cash', () => {
    // One bar, cash 10,000, equity 10,100: r = [0.01]; annual = 1.01^365 − 1 = 36.7834343 → 3678.34 %
    const stats = computeStats(input([10_100]));
    expectRelClose(stats.annualReturnPct, 3678.343433288728);
    expect(stats.durationDays).toBe(0);
    expect(stats.cagrPct).toBeNull(); // zero duration
    expect(stats.annualVolatilityPct).toBeNull(); // one return: no sample std
    expect(stats.sharpe).toBeNull();
    expect(stats.sortino).toBeNull();
  });
});

describe('degenerate curves', () => {
  it('flat equity and no trades: zero volatility, undefined ratios', () => {
    const stats = computeStats(input([10_000, 10_000, 10_000, 10_000, 10_000], { close: Float64Array.from([100, 90, 110, 100, 105]) }));
    expect(stats).toEqual({
      start: '2023-01-01T00:00:00.000Z',
      end: '2023-01-05T00:00:00.000Z',
      durationDays: 4,
      exposurePct: 0,
      finalEquity: 10_000,
      peakEquity: 10_000,
      totalReturnPct: 0,
      buyHoldReturnPct: expect.closeTo(5, 9), // (105 / 100 − 1) × 100
      cagrPct: 0,
      annualReturnPct: 0,
      annualVolatilityPct: 0, // all r = 0: std 0 is defined
      sharpe: null, // 0 / 0
      sortino: null, // no downside
      calmar: null, // no drawdown
      maxDrawdownPct: 0,
      maxDrawdownDurationDays: 0,
      avgDrawdownPct: 0,
      trades: 0,
      winRatePct: null,
      bestTradePct: null,
      worstTradePct: null,
      avgTradePct: null,
      avgTradeDurationDays: null,
      maxTradeDurationDays: null,
      profitFactor: null,
      expectancy: null,
      sqn: null,
    });
  });

  it('a ruined account: equity at zero leaves later returns undefined, the rest −100 %', () => {
    // cash 10,000: 5,000, 0, 0. r_2 = 0/0 is undefined → vol, sharpe, sortino null.
    const stats = computeStats(input([5_000, 0, 0], { time: Float64Array.from([JAN_2023, JAN_2023 + DAY, Date.UTC(2024, 0, 1)]) }));
    expect(stats.totalReturnPct).toBe(-100);
    expect(stats.annualReturnPct).toBe(-100); // 0^(365/3) − 1
    expect(stats.cagrPct).toBe(-100);
    expect(stats.maxDrawdownPct).toBe(100);
    expect(stats.calmar).toBeCloseTo(-1, 9);
    expect(stats.annualVolatilityPct).toBeNull();
    expect(stats.sharpe).toBeNull();
    expect(stats.sortino).toBeNull();
  });

  it('negative final equity: growth has no real root, so annualised returns are null', () => {
    // cash 10,000: 2,000, −500. Drawdown (1 − (−500)/10,000) = 105 %.
    const stats = computeStats(input([2_000, -500]));
    expect(stats.totalReturnPct).toBeCloseTo(-105, 9);
    expect(stats.annualReturnPct).toBeNull();
    expect(stats.cagrPct).toBeNull();
    expect(stats.calmar).toBeNull();
    expect(stats.maxDrawdownPct).toBeCloseTo(105, 9);
  });

  it('an annualised return too large for a double is null, not Infinity', () => {
    // Two 15-minute bars, doubling: 2^(365 / (1/96)) overflows.
    const stats = computeStats(input([10_000, 20_000], { time: times(2, 900_000), periodsPerYear: 35_040 }));
    expect(stats.cagrPct).toBeNull();
    expect(stats.annualReturnPct).toBeNull();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('trade statistics', () => {
  // +200 (+2 %, 2 d), −100 (−1 %, 1 d), +50 (+0.5 %, 4 d)
  // pnl mean 50; deviations 150, −150, 0 → sample var 45,000 / 2 = 22,500 → std 150
  const mixed = [trade(200, 2, 2), trade(-100, -1, 1), trade(50, 0.5, 4)];

  it.each<[string, Trade[], Partial<Stats>]>([
    [
      'two winners and a loser',
      mixed,
      {
        trades: 3,
        winRatePct: 66.66666666666667, // 2 / 3
        bestTradePct: 2,
        worstTradePct: -1,
        avgTradePct: 0.5, // (2 − 1 + 0.5) / 3
        avgTradeDurationDays: 2.3333333333333335, // (2 + 1 + 4) / 3
        maxTradeDurationDays: 4,
        profitFactor: 2.5, // 250 / 100
        expectancy: 50, // 150 / 3
        sqn: 0.5773502691896258, // √3 × 50 / 150
      },
    ],
    [
      'all winners: no losing trade, profit factor undefined',
      [trade(10, 1, 1), trade(30, 3, 1)],
      { winRatePct: 100, profitFactor: null, expectancy: 20, sqn: 2 }, // √2 × 20 / √((10² + 10²)/1) = 2
    ],
    ['all losers: profit factor 0', [trade(-10, -1, 1), trade(-30, -3, 1)], { winRatePct: 0, profitFactor: 0, expectancy: -20, sqn: -2 }],
    [
      'a breakeven trade is not a win and not a loss',
      [trade(0, 0, 1), trade(10, 1, 3)],
      { winRatePct: 50, profitFactor: null, sqn: 1, avgTradeDurationDays: 2 }, // √2 × 5 / √50 = 1
    ],
    ['one trade: no sample std, sqn undefined', [trade(40, 4, 1)], { trades: 1, winRatePct: 100, avgTradePct: 4, expectancy: 40, sqn: null }],
    ['identical pnl: zero std, sqn undefined', [trade(5, 0.5, 1), trade(5, 0.5, 1)], { expectancy: 5, sqn: null }],
    [
      'no trades: everything per-trade is undefined',
      [],
      {
        trades: 0,
        winRatePct: null,
        bestTradePct: null,
        worstTradePct: null,
        avgTradePct: null,
        avgTradeDurationDays: null,
        maxTradeDurationDays: null,
        profitFactor: null,
        expectancy: null,
        sqn: null,
      },
    ],
  ])('%s', (_name, trades, expected) => {
    const stats = computeStats(input([10_000, 10_100], { trades }));
    for (const [key, value] of Object.entries(expected)) {
      if (value === null) expect(stats[key as keyof Stats], key).toBeNull();
      else expect(stats[key as keyof Stats], key).toBeCloseTo(value as number, 9);
    }
  });
});

describe('input validation', () => {
  it.each<[string, StatsInput, RegExp]>([
    ['no bars', input([]), /empty/],
    ['columns of different lengths', input([1, 2], { close: Float64Array.from([1]) }), /length/],
    ['zero cash', input([1, 2], { cash: 0 }), /cash/],
    ['non-positive periodsPerYear', input([1, 2], { periodsPerYear: 0 }), /periodsPerYear/],
    ['exposure beyond the bar count', input([1, 2], { exposureBars: 3 }), /exposureBars/],
    ['time running backwards', input([1, 2], { time: Float64Array.from([DAY, 0]) }), /time/],
    ['a zero first close', input([1, 2], { close: Float64Array.from([0, 1]) }), /close/],
    ['NaN equity', input([1, Number.NaN, 2]), /equity\[1\]/],
    ['a NaN pnl', input([1, 2], { trades: [trade(Number.NaN, 1, 1)] }), /trade 0/],
  ])('rejects %s', (_name, bad, message) => {
    expect(() => computeStats(bad)).toThrow(message);
  });
});

describe('properties', () => {
  const curve = fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 });

  it('the output is always JSON-safe: finite numbers, strings or null', () => {
    fc.assert(
      fc.property(curve, fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { maxLength: 20 }), (equity, pnls) => {
        const stats = computeStats(input(equity, { trades: pnls.map((p) => trade(p, p / 100, 1)) }));
        for (const value of Object.values(stats)) {
          expect(value === null || typeof value === 'string' || Number.isFinite(value)).toBe(true);
        }
      }),
    );
  });

  it('one-pass moments match a two-pass reference over an explicit return array', () => {
    fc.assert(
      fc.property(curve, (equity) => {
        const cash = 10_000;
        const r = equity.map((e, t) => e / (t === 0 ? cash : equity[t - 1]!) - 1);
        const mean = r.reduce((a, b) => a + b, 0) / r.length;
        const std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
        const stats = computeStats(input(equity, { cash }));
        if (r.length < 2) {
          expect(stats.annualVolatilityPct).toBeNull();
          return;
        }
        const vol = stats.annualVolatilityPct as number;
        expect(Math.abs(vol - std * Math.sqrt(365) * 100)).toBeLessThanOrEqual(1e-9 * vol + 1e-12);
        if (std > 1e-12) expectRelClose(stats.sharpe, (mean / std) * Math.sqrt(365), 6);
      }),
    );
  });

  it('drawdown is never negative and the max bounds the average', () => {
    fc.assert(
      fc.property(curve, (equity) => {
        const stats = computeStats(input(equity));
        expect(stats.maxDrawdownPct).toBeGreaterThanOrEqual(0);
        expect(stats.avgDrawdownPct).toBeLessThanOrEqual(stats.maxDrawdownPct + 1e-12);
        expect(stats.maxDrawdownDurationDays).toBeLessThanOrEqual(stats.durationDays);
      }),
    );
  });
});

describe('flat bars (the fast path for time out of the market)', () => {
  it('give the same statistics as the arithmetic without the shortcut', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const equity = Float64Array.from([10_000, 10_000, 9_000, 9_000, 9_500, 9_500, 10_500, 10_500]);
    const n = equity.length;
    const time = Float64Array.from({ length: n }, (_, i) => t0 + i * 3_600_000);
    const stats = computeStats({ time, close: new Float64Array(n).fill(1), equity, trades: [], exposureBars: 0, cash: 10_000, periodsPerYear: 8760 });
    const r = Array.from(equity, (e, i) => e / (i === 0 ? 10_000 : equity[i - 1]!) - 1);
    const mean = r.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(stats.peakEquity).toBe(10_500);
    expect(stats.maxDrawdownPct).toBeCloseTo(10, 9);
    // The peak is dated at its last flat bar (t1); recovery at t6: 5 hours.
    expect(stats.maxDrawdownDurationDays).toBeCloseTo(5 / 24, 9);
    expect(stats.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(8760), 9);
    expect(stats.annualVolatilityPct).toBeCloseTo(sd * Math.sqrt(8760) * 100, 9);
  });
});

describe('profit factor at the edge of the doubles', () => {
  it('a denormal loss gives null, not Infinity (found by the JSON-safety property)', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const trade = (pnl: number) => ({
      direction: 1 as const, entryIndex: 0, exitIndex: 1, entryTimeMs: t0, exitTimeMs: t0 + 3_600_000,
      entryPrice: 1, exitPrice: 1, quantity: 1, fees: 0, pnl, returnPct: pnl, closedAtEnd: false,
    });
    const stats = computeStats({
      time: Float64Array.from([t0, t0 + 3_600_000]), close: Float64Array.from([1, 1]), equity: Float64Array.from([10_000, 10_000]),
      trades: [trade(-5e-324), trade(8.881784197001252e-16)], exposureBars: 0, cash: 10_000, periodsPerYear: 8760,
    });
    expect(stats.profitFactor).toBeNull();
  });
});
