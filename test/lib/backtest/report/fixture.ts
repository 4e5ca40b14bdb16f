/**
 * A hand-built `ReportInput` for the report tests: an hourly series with a deterministic
 * wave-plus-noise price path, three trades (long, short, long closed at the end) and a 4 × 3
 * grid of results over `fast` × `slow`. Not a test file; the tests import it.
 */
import { drawdownPct } from '../../../../lib/backtest/report/index.ts';
import type { Bars, BacktestResult, ReportInput, Stats, Trade } from '../../../../lib/backtest/types.ts';

const HOUR_MS = 3_600_000;
const START_MS = Date.parse('2024-01-01T00:00:00Z');
const CASH = 10_000;

export const FAST_VALUES = [5, 10, 20, 30] as const;
export const SLOW_VALUES = [50, 100, 200] as const;

export function makeBars(n: number, symbol = 'BTC/USDT'): Bars {
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let seed = 42;
  const noise = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; // LCG: same series on every run
    return seed / 2_147_483_648 - 0.5;
  };
  let previous = 100;
  for (let i = 0; i < n; i++) {
    time[i] = START_MS + i * HOUR_MS;
    const c = 100 + 10 * Math.sin(i / 15) + 0.05 * (i % 2000) + 2 * noise();
    open[i] = previous;
    close[i] = c;
    high[i] = Math.max(previous, c) + 0.5;
    low[i] = Math.min(previous, c) - 0.5;
    volume[i] = 1000 + 100 * noise();
    previous = c;
  }
  return { symbol, timeframe: '1h', time, open, high, low, close, volume };
}

/**
 * Long, short, long: entries fill at the bar's open, the last trade closes at the final close.
 * At 200 bars they sit near the wave's troughs and peaks, so the equity curve rises.
 */
function makeTrades(bars: Bars): Trade[] {
  const n = bars.time.length;
  const spans: Array<[1 | -1, number, number]> = [
    [1, Math.floor(0.35 * n), Math.floor(0.575 * n)],
    [-1, Math.floor(0.59 * n), Math.floor(0.8 * n)],
    [1, Math.floor(0.825 * n), n - 1],
  ];
  let cash = CASH;
  return spans.map(([direction, entryIndex, exitIndex], k) => {
    const closedAtEnd = k === spans.length - 1;
    const entryPrice = bars.open[entryIndex]!;
    const exitPrice = closedAtEnd ? bars.close[exitIndex]! : bars.open[exitIndex]!;
    const quantity = cash / entryPrice;
    const pnl = direction * quantity * (exitPrice - entryPrice);
    cash += pnl;
    return {
      direction,
      entryIndex,
      exitIndex,
      entryTimeMs: bars.time[entryIndex]!,
      exitTimeMs: bars.time[exitIndex]!,
      entryPrice,
      exitPrice,
      quantity,
      fees: 0,
      pnl,
      returnPct: (pnl / (quantity * entryPrice)) * 100,
      closedAtEnd,
    };
  });
}

/** Equity marked at each close: cash plus the open trade's unrealised P&L. */
function makeEquity(bars: Bars, trades: readonly Trade[]): Float64Array {
  const equity = new Float64Array(bars.time.length);
  let cash = CASH;
  let t = 0;
  for (let i = 0; i < equity.length; i++) {
    const trade = trades[t];
    if (trade && i >= trade.exitIndex && !trade.closedAtEnd) {
      cash += trade.pnl;
      t++;
    }
    const open = trades[t];
    const inTrade = open !== undefined && i >= open.entryIndex && i <= open.exitIndex;
    equity[i] = inTrade ? cash + open.direction * open.quantity * (bars.close[i]! - open.entryPrice) : cash;
  }
  return equity;
}

export function makeStats(overrides: Partial<Stats> = {}): Stats {
  return {
    start: '2024-01-01T00:00:00.000Z',
    end: '2024-01-09T07:00:00.000Z',
    durationDays: 8.29,
    exposurePct: 70.5,
    finalEquity: 11_234.5,
    peakEquity: 11_500,
    totalReturnPct: 12.345,
    buyHoldReturnPct: 8.1,
    cagrPct: 4_210.5,
    annualReturnPct: 300.2,
    annualVolatilityPct: 45.3,
    sharpe: 1.234,
    sortino: 1.9,
    calmar: 2.1,
    maxDrawdownPct: -8.76,
    maxDrawdownDurationDays: 2.5,
    avgDrawdownPct: -2.1,
    trades: 3,
    winRatePct: 66.667,
    bestTradePct: 9.1,
    worstTradePct: -3.2,
    avgTradePct: 4.1,
    avgTradeDurationDays: 1.7,
    maxTradeDurationDays: 2.5,
    profitFactor: 2.4,
    expectancy: 41.2,
    sqn: 1.1,
    ...overrides,
  };
}

export function makeResult(
  params: Record<string, number | string>,
  overrides: Partial<BacktestResult> = {},
): BacktestResult {
  return {
    runId: 'run-1',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    strategy: 'sma-cross',
    params,
    options: { cash: CASH, feeRate: 0.001, slippageBps: 2, lotStep: 0, fillAt: 'next-open' },
    stats: makeStats(),
    dataQualityFlags: [],
    ...overrides,
  };
}

/** The 4 × 3 grid; Sharpe varies smoothly, and (fast 30, slow 50) has no Sharpe (null cell). */
export function makeGrid(symbol = 'BTC/USDT'): BacktestResult[] {
  return FAST_VALUES.flatMap((fast, i) =>
    SLOW_VALUES.map((slow, j) =>
      makeResult(
        { fast, slow },
        {
          symbol,
          stats: makeStats({
            sharpe: fast === 30 && slow === 50 ? null : 0.2 * i + 0.3 * j - 0.1,
            totalReturnPct: 3 * i - 2 * j + 1.5,
            trades: 3 + i + j,
          }),
        },
      ),
    ),
  );
}

export interface FixtureOptions {
  bars?: number;
  symbol?: string;
  dataQualityFlags?: string[];
  heatmap?: boolean;
}

export function makeReportInput({
  bars: n = 200,
  symbol = 'BTC/USDT',
  dataQualityFlags = [],
  heatmap = true,
}: FixtureOptions = {}): ReportInput {
  const bars = makeBars(n, symbol);
  const trades = makeTrades(bars);
  const equity = makeEquity(bars, trades);
  const results = makeGrid(symbol);
  // The detailed run is (fast 10, slow 100); its headline numbers agree with its equity curve.
  const wins = trades.filter((t) => t.pnl > 0).length;
  const detailResult: BacktestResult = {
    ...results[4]!,
    dataQualityFlags,
    stats: {
      ...results[4]!.stats,
      totalReturnPct: (equity[equity.length - 1]! / CASH - 1) * 100,
      maxDrawdownPct: Math.min(...drawdownPct(equity)),
      trades: trades.length,
      winRatePct: (wins / trades.length) * 100,
    },
  };
  results[4] = detailResult;
  const exposureBars = trades.reduce((sum, t) => sum + (t.exitIndex - t.entryIndex), 0);
  return {
    title: `SMA cross ${symbol} 1h`,
    bars,
    detail: { result: detailResult, simulation: { equity, trades, exposureBars } },
    results,
    ...(heatmap ? { heatmap: { xParam: 'fast', yParam: 'slow', metric: 'sharpe' as const } } : {}),
  };
}
