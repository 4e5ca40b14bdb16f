/**
 * The statistics of one backtest run: one pure function over the equity curve and the trades,
 * after backtesting.py's `_stats.compute_stats`. Every number the reports show comes from here.
 *
 * Conventions (docs/metrics.md has the table, with the differences from backtesting.py/vectorbt):
 * - Per-bar returns r_t = equity[t] / equity[t-1] - 1, with r_0 = equity[0] / cash - 1, so there
 *   are n returns and their compounded product is exactly final / cash.
 * - Ratios use per-bar returns annualised with `periodsPerYear` (a 365-day crypto year);
 *   only `cagrPct` uses calendar time.
 * - Undefined values are `null`, never NaN or Infinity: the output is JSON-safe.
 *
 * It runs once per parameter set in large grids, so it makes one pass over the bars and one over
 * the trades, with running sums (shifted sums for the return variance, Welford for trades) and no per-bar arrays.
 */
import type { Stats, StatsInput } from './types.ts';

const DAY_MS = 86_400_000;
/** Calendar days per year for CAGR; crypto trades every day (backtesting.py also uses 365 for crypto). */
const CALENDAR_DAYS_PER_YEAR = 365;

/**
 * Computes every statistic of one run from its equity curve, trades and bars.
 * Pure and O(bars + trades). Throws `RangeError` on input that cannot describe a run
 * (no bars, columns of different lengths, non-positive cash, non-finite equity, …).
 *
 * @example
 * const stats = computeStats({ time, close, equity: sim.equity, trades: sim.trades,
 *   exposureBars: sim.exposureBars, cash: 10_000, periodsPerYear: 8760 });
 * stats.maxDrawdownPct; // 12.5 — positive, in percent
 */
export function computeStats(input: StatsInput): Stats {
  assertStatsInput(input);
  const { time, close, equity, trades, exposureBars, cash, periodsPerYear } = input;
  const n = equity.length;
  const frame: RunFrame = {
    bars: n, firstTimeMs: time[0]!, lastTimeMs: time[n - 1]!, finalEquity: equity[n - 1]!, exposureBars, cash, periodsPerYear,
    firstClose: close[0]!, lastClose: close[n - 1]!,
  };
  return deriveStats(frame, equityPass(time, equity, cash), tradePass(trades));
}

/** What the statistics need besides the two passes' sums. */
export interface RunFrame {
  bars: number;
  firstTimeMs: number;
  lastTimeMs: number;
  finalEquity: number;
  exposureBars: number;
  cash: number;
  periodsPerYear: number;
  firstClose: number;
  lastClose: number;
}

/** Sums of the pass over the bars (see {@link equityPass}). */
export type EquitySums = ReturnType<typeof equityPass>;
/** Sums of the pass over the trades (see {@link tradePass}). */
export type TradeSums = ReturnType<typeof tradePass>;

/**
 * Every statistic from the two passes' sums: the one place each formula is written. The fused
 * grid kernel (lib/backtest/cross-kernel.ts) produces the same sums in one loop and calls this too.
 */
export function deriveStats(frame: RunFrame, eq: EquitySums, tr: TradeSums): Stats {
  const { bars: n, firstTimeMs, lastTimeMs, finalEquity, exposureBars, cash, periodsPerYear } = frame;
  const { peakEquity, returnsDefined, returnCount, shift, shiftedSum, shiftedSumSq, downsideSumSq, maxDrawdown,
    maxDrawdownDurationMs, episodeDepthSum, episodeCount } = eq;
  const { tradeCount, wins, grossProfit, grossLoss, pnlMean, pnlM2, returnPctSum, bestTradePct, worstTradePct,
    durationMsSum, maxDurationMs } = tr;

  // ---- Derived quantities, each guarded. ----
  const growth = finalEquity / cash; // cash > 0 (asserted)
  const durationDays = (lastTimeMs - firstTimeMs) / DAY_MS;
  const returnMean = returnCount > 0 ? shift + shiftedSum / returnCount : 0;
  // Sample variance, ddof 1, from the shifted sums (clamped: rounding can leave a tiny negative).
  const returnVariance = returnCount >= 2 ? Math.max(0, (shiftedSumSq - (shiftedSum * shiftedSum) / returnCount) / (returnCount - 1)) : 0;
  const returnStd = returnsDefined && returnCount >= 2 ? Math.sqrt(returnVariance) : null; // sample std, ddof 1
  const downsideDev = returnsDefined && returnCount >= 2 ? Math.sqrt(downsideSumSq / returnCount) : null; // target 0, over all n returns
  const sqrtPeriods = Math.sqrt(periodsPerYear);
  const maxDrawdownPct = maxDrawdown * 100;
  const pnlStd = tradeCount >= 2 ? Math.sqrt(pnlM2 / (tradeCount - 1)) : null; // sample std, ddof 1
  const hasTrades = tradeCount > 0;

  // Compounded growth to an annual rate; a negative growth (equity below zero) has no real root.
  const annualise = (exponent: number): number | null => (growth >= 0 ? finiteOrNull((growth ** exponent - 1) * 100) : null);
  const cagrPct = durationDays > 0 ? annualise(CALENDAR_DAYS_PER_YEAR / durationDays) : null;

  return {
    start: new Date(firstTimeMs).toISOString(),
    end: new Date(lastTimeMs).toISOString(),
    durationDays,
    // Share of bars that ended with a position open. backtesting.py counts entry..exit bars of each trade.
    exposurePct: (exposureBars / n) * 100,
    finalEquity,
    // max(equity) over the bars; the starting cash is not a bar, so it is not included (as in backtesting.py).
    peakEquity,
    // (final / cash − 1) × 100. backtesting.py divides by equity[0]; ours is the starting cash.
    totalReturnPct: (growth - 1) * 100,
    // (close[n−1] / close[0] − 1) × 100, no fees or slippage: the benchmark. Same as backtesting.py.
    buyHoldReturnPct: (frame.lastClose / frame.firstClose - 1) * 100,
    // ((final / cash)^(365 / durationDays) − 1) × 100, calendar time. backtesting.py: same with
    // 365 (crypto) or 252 days per year; null here for a zero-length run (theirs NaN).
    cagrPct,
    // ((1 + geomean r)^periodsPerYear − 1) × 100 = ((final / cash)^(periodsPerYear / n) − 1) × 100.
    // = vectorbt/empyrical annual_return. backtesting.py compounds the geomean of *daily* returns.
    annualReturnPct: annualise(periodsPerYear / n),
    // std(r, ddof 1) × √periodsPerYear × 100 (= vectorbt/empyrical annual_volatility). backtesting.py
    // uses the variance of compounded daily returns, √((σ² + (1+g)²)^N − (1+g)^2N).
    annualVolatilityPct: returnStd === null ? null : finiteOrNull(returnStd * sqrtPeriods * 100),
    // mean(r) / std(r) × √periodsPerYear, risk-free 0 (= vectorbt/empyrical sharpe_ratio; they return
    // inf for zero std, we null). backtesting.py divides annualised geometric return by its annualised volatility.
    sharpe: returnStd === null || returnStd === 0 ? null : finiteOrNull((returnMean / returnStd) * sqrtPeriods),
    // mean(r) / √(Σ min(r,0)² / n) × √periodsPerYear, target 0 (= vectorbt/empyrical sortino_ratio).
    // backtesting.py puts the annualised geometric return over the annualised downside deviation.
    sortino: downsideDev === null || downsideDev === 0 ? null : finiteOrNull((returnMean / downsideDev) * sqrtPeriods),
    // cagrPct / maxDrawdownPct. backtesting.py and vectorbt use their per-period annualised return, not calendar CAGR.
    calmar: cagrPct === null || maxDrawdown === 0 ? null : finiteOrNull(cagrPct / maxDrawdownPct),
    // max_t (1 − equity[t] / peak_t) × 100, peak starting at the cash. backtesting.py and vectorbt start
    // the peak at equity[0], so a loss on the first bar does not count there.
    maxDrawdownPct,
    // Longest peak-to-recovery (or peak-to-last-bar) span in days. Same episode rule as backtesting.py.
    maxDrawdownDurationDays: maxDrawdownDurationMs / DAY_MS,
    // Mean of each episode's depth, unrecovered final episode included (= backtesting.py Avg. Drawdown); 0 if none.
    avgDrawdownPct: episodeCount > 0 ? (episodeDepthSum / episodeCount) * 100 : 0,
    trades: tradeCount,
    // Share of trades with pnl > 0 (breakeven is not a win), as backtesting.py.
    winRatePct: hasTrades ? (wins / tradeCount) * 100 : null,
    bestTradePct: hasTrades ? bestTradePct : null,
    worstTradePct: hasTrades ? worstTradePct : null,
    // Arithmetic mean of returnPct. backtesting.py's Avg. Trade is the geometric mean.
    avgTradePct: hasTrades ? returnPctSum / tradeCount : null,
    avgTradeDurationDays: hasTrades ? durationMsSum / tradeCount / DAY_MS : null,
    maxTradeDurationDays: hasTrades ? maxDurationMs / DAY_MS : null,
    // Σ winning pnl / |Σ losing pnl| (= vectorbt, on pnl). backtesting.py sums trade *returns*. null with
    // no losing trade (they give NaN; vectorbt inf), 0 with losers only.
    profitFactor: grossLoss > 0 ? finiteOrNull(grossProfit / grossLoss) : null,
    // Mean pnl per trade, quote currency. backtesting.py's Expectancy [%] is the mean trade return instead.
    expectancy: hasTrades ? pnlMean : null,
    // √n × mean(pnl) / std(pnl, ddof 1), Van Tharp's System Quality Number (= backtesting.py SQN).
    sqn: pnlStd === null || pnlStd === 0 ? null : finiteOrNull((Math.sqrt(tradeCount) * pnlMean) / pnlStd),
  };
}

/**
 * The pass over the bars: peak, return moments, drawdown episodes. Its own function so V8
 * optimises this hot loop on its own: code that rarely runs elsewhere cannot deoptimise it.
 */
export function equityPass(time: Float64Array, equity: Float64Array, cash: number) {
  const n = equity.length;
  let peakEquity = -Infinity;
  let prevEquity = cash; // r_0 is measured against the starting cash
  let returnsDefined = true; // false once a return would divide by equity <= 0 (a ruined account)
  let returnCount = 0; // n while returnsDefined
  // Shifted sums instead of Welford: no division per bar (grids call this millions of times), and
  // exact zero variance for constant returns. Shift = the first return, so sums stay small.
  let shift = Number.NaN;
  let shiftedSum = 0; // sum of (r - shift)
  let shiftedSumSq = 0; // sum of (r - shift)^2
  let downsideSumSq = 0; // sum of min(r, 0)^2
  let ddPeak = cash; // the running peak starts at the starting cash, so losing it from bar 0 counts
  let ddPeakIndex = 0; // bar of the running peak; the starting cash is dated at the first bar
  let inDrawdown = false;
  let episodeMin = Infinity; // lowest equity of the current episode; depth = 1 - min / peak at its end
  let maxDrawdown = 0;
  let maxDrawdownDurationMs = 0;
  let episodeDepthSum = 0;
  let episodeCount = 0;

  let zeroReturns = 0; // bars where equity did not move (flat): folded into the sums after the loop
  for (let t = 0; t < n; t++) {
    const e = equity[t]!;
    if (e === prevEquity && e > 0) {
      // Flat bar, the common case while out of the market: r = 0, no new peak, no new trough.
      // At the peak, the peak's date moves on (drawdown durations count from the last bar at the peak).
      zeroReturns++;
      if (e > peakEquity) peakEquity = e; // only possible on bar 0, when equity still equals the cash
      if (!inDrawdown) ddPeakIndex = t;
      continue;
    }
    if (!Number.isFinite(e)) throw new RangeError(`computeStats: equity[${t}] is ${e}`);
    if (e > peakEquity) peakEquity = e;

    if (prevEquity > 0) {
      const r = e / prevEquity - 1;
      if (returnCount === 0) shift = r;
      returnCount++;
      const d = r - shift;
      shiftedSum += d;
      shiftedSumSq += d * d;
      // min(r, 0) without a branch (the sign of r is a coin flip) nor Math.min (slow for its -0/NaN rules).
      const loss = 0.5 * (r - Math.abs(r));
      downsideSumSq += loss * loss;
    } else {
      returnsDefined = false;
    }
    prevEquity = e;

    if (e >= ddPeak) {
      // At or above the peak: an open episode ends here (regaining the peak exactly counts).
      if (inDrawdown) {
        const durationMs = time[t]! - time[ddPeakIndex]!;
        if (durationMs > maxDrawdownDurationMs) maxDrawdownDurationMs = durationMs;
        const episodeDepth = 1 - episodeMin / ddPeak; // ddPeak >= cash > 0
        if (episodeDepth > maxDrawdown) maxDrawdown = episodeDepth;
        episodeDepthSum += episodeDepth;
        episodeCount++;
        inDrawdown = false;
        episodeMin = Infinity;
      }
      ddPeak = e;
      ddPeakIndex = t;
    } else {
      inDrawdown = true;
      if (e < episodeMin) episodeMin = e;
    }
  }
  if (inDrawdown) {
    // An unrecovered final episode runs to the last bar and counts like any other.
    const durationMs = time[n - 1]! - time[ddPeakIndex]!;
    if (durationMs > maxDrawdownDurationMs) maxDrawdownDurationMs = durationMs;
    const episodeDepth = 1 - episodeMin / ddPeak;
    if (episodeDepth > maxDrawdown) maxDrawdown = episodeDepth;
    episodeDepthSum += episodeDepth;
    episodeCount++;
  }

  // Fold the flat bars back in: each is r = 0, i.e. d = -shift.
  if (zeroReturns > 0) {
    if (returnCount === 0) shift = 0;
    shiftedSum -= zeroReturns * shift;
    shiftedSumSq += zeroReturns * shift * shift;
    returnCount += zeroReturns;
  }
  return {
    peakEquity, returnsDefined, returnCount, shift, shiftedSum, shiftedSumSq, downsideSumSq, maxDrawdown,
    maxDrawdownDurationMs, episodeDepthSum, episodeCount,
  };
}

/** The pass over the trades: win/loss sums, pnl moments, best/worst, durations. */
export function tradePass(trades: StatsInput['trades']) {
  const tradeCount = trades.length;
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0; // sum of |pnl| over losing trades
  let pnlMean = 0; // Welford, as above
  let pnlM2 = 0;
  let returnPctSum = 0;
  let bestTradePct = -Infinity;
  let worstTradePct = Infinity;
  let durationMsSum = 0;
  let maxDurationMs = 0;
  for (let i = 0; i < tradeCount; i++) {
    const trade = trades[i]!;
    const { pnl, returnPct } = trade;
    const durationMs = trade.exitTimeMs - trade.entryTimeMs;
    if (!Number.isFinite(pnl) || !Number.isFinite(returnPct) || !Number.isFinite(durationMs)) {
      throw new RangeError(`computeStats: trade ${i} has a non-finite pnl, returnPct or time`);
    }
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
    } else if (pnl < 0) {
      grossLoss -= pnl;
    }
    const delta = pnl - pnlMean;
    pnlMean += delta / (i + 1);
    pnlM2 += delta * (pnl - pnlMean);
    returnPctSum += returnPct;
    if (returnPct > bestTradePct) bestTradePct = returnPct;
    if (returnPct < worstTradePct) worstTradePct = returnPct;
    durationMsSum += durationMs;
    if (durationMs > maxDurationMs) maxDurationMs = durationMs;
  }

  return { tradeCount, wins, grossProfit, grossLoss, pnlMean, pnlM2, returnPctSum, bestTradePct, worstTradePct, durationMsSum, maxDurationMs };
}

/** `x` when it is a finite number, else `null` — the last guard that keeps the output JSON-safe. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Rejects input that cannot describe a run, loudly and specifically. O(1): per-bar checks run in the main loop. */
function assertStatsInput(input: StatsInput): void {
  const { time, close, equity, exposureBars, cash, periodsPerYear } = input;
  const n = equity.length;
  if (n === 0) throw new RangeError('computeStats: the equity curve is empty');
  if (time.length !== n || close.length !== n) {
    throw new RangeError(`computeStats: time (${time.length}), close (${close.length}) and equity (${n}) differ in length`);
  }
  if (!(Number.isFinite(cash) && cash > 0)) throw new RangeError(`computeStats: cash must be positive, got ${cash}`);
  if (!(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) {
    throw new RangeError(`computeStats: periodsPerYear must be positive, got ${periodsPerYear}`);
  }
  if (!(Number.isInteger(exposureBars) && exposureBars >= 0 && exposureBars <= n)) {
    throw new RangeError(`computeStats: exposureBars must be an integer in [0, ${n}], got ${exposureBars}`);
  }
  const first = time[0]!;
  const last = time[n - 1]!;
  if (!(Number.isFinite(first) && Number.isFinite(last) && last >= first)) {
    throw new RangeError(`computeStats: time must run forward, got ${first} .. ${last}`);
  }
  const c0 = close[0]!;
  const cn = close[n - 1]!;
  if (!(Number.isFinite(c0) && c0 > 0 && Number.isFinite(cn))) {
    throw new RangeError(`computeStats: the first close must be positive and the last finite, got ${c0} and ${cn}`);
  }
}
