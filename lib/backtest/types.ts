/**
 * Types of the backtest engine: the bars it reads, the options that fix its conventions, and
 * what a run produces (trades, equity, statistics).
 */

/** An OHLCV series as columns of typed arrays, oldest bar first. */
export interface Bars {
  symbol: string;
  timeframe: string;
  /** Bar open time, ms since epoch, UTC, strictly increasing. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** When a signal computed on bar t's close is filled. */
export type FillAt = 'next-open' | 'close';

/** The engine's conventions for one run. README's "Backtest conventions" documents each. */
export interface EngineOptions {
  /** Starting cash in the quote currency. Default 10,000. */
  cash: number;
  /** Fee as a fraction of notional, charged on every fill (0.001 = 0.1 %). */
  feeRate: number;
  /** Slippage in basis points, against us on every fill. */
  slippageBps: number;
  /** Quantities round down to a multiple of this; 0 means fractional. */
  lotStep: number;
  /** Default `next-open`: a signal on bar t's close fills at bar t+1's open. */
  fillAt: FillAt;
}

/** Target position after each bar's close: 1 long, -1 short, 0 flat. */
export type Targets = Int8Array;

/** One round trip (a reversal is two trades: the close and the new open share one fill). */
export interface Trade {
  /** 1 long, -1 short. */
  direction: 1 | -1;
  entryIndex: number;
  exitIndex: number;
  entryTimeMs: number;
  exitTimeMs: number;
  /** Fill prices, slippage included. */
  entryPrice: number;
  exitPrice: number;
  /** Units of the base asset, positive. */
  quantity: number;
  /** Entry plus exit fees, quote currency. */
  fees: number;
  /** Profit or loss net of fees, quote currency. */
  pnl: number;
  /** `pnl` over the entry notional, in percent. */
  returnPct: number;
  /** Closed at the last bar's close because the data ended. */
  closedAtEnd: boolean;
}

/** What one simulation produces; the statistics are computed from it alone. */
export interface Simulation {
  /** Equity marked at each bar's close (cash plus position at the close). */
  equity: Float64Array;
  trades: Trade[];
  /** Bars that ended with a position open. */
  exposureBars: number;
}

/** Inputs of {@link computeStats}: the simulation plus the bars and calendar it ran on. */
export interface StatsInput {
  time: Float64Array;
  close: Float64Array;
  equity: Float64Array;
  trades: readonly Trade[];
  exposureBars: number;
  cash: number;
  /** Bars per year, from the timeframe and a 365-day crypto year (configurable). */
  periodsPerYear: number;
}

/** The statistics of one run. Units are in the names; `null` where a value is undefined (e.g. no trades). */
export interface Stats {
  start: string;
  end: string;
  durationDays: number;
  exposurePct: number;
  finalEquity: number;
  peakEquity: number;
  totalReturnPct: number;
  buyHoldReturnPct: number;
  cagrPct: number | null;
  annualReturnPct: number | null;
  annualVolatilityPct: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  maxDrawdownPct: number;
  maxDrawdownDurationDays: number;
  avgDrawdownPct: number;
  trades: number;
  winRatePct: number | null;
  bestTradePct: number | null;
  worstTradePct: number | null;
  avgTradePct: number | null;
  avgTradeDurationDays: number | null;
  maxTradeDurationDays: number | null;
  profitFactor: number | null;
  expectancy: number | null;
  sqn: number | null;
}

/** Strategy parameters as set on the command line or in a grid. */
export type StrategyParams = Record<string, number | string>;

/** One evaluated (series, strategy, parameter set): what reports, the lake and comparisons use. */
export interface BacktestResult {
  runId: string;
  symbol: string;
  timeframe: string;
  strategy: string;
  params: StrategyParams;
  options: EngineOptions;
  stats: Stats;
  /** Open CRITICAL data-quality findings on the series, when it was backtested anyway. */
  dataQualityFlags: string[];
}

/** What the HTML report and the PNG chart are drawn from. */
export interface ReportInput {
  title: string;
  /** The series the detailed run traded (price chart with trade markers). */
  bars: Bars;
  /** The run drawn in detail: its result, equity curve and trades. */
  detail: { result: BacktestResult; simulation: Simulation };
  /** Every result of the run, for the sortable table (may be just `detail.result`). */
  results: BacktestResult[];
  /** For grids over two numeric parameters: the heatmap's axes and the metric it colours by. */
  heatmap?: { xParam: string; yParam: string; metric: keyof Stats };
}
