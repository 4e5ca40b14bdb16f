/**
 * The fused grid kernel for crossover strategies: targets, fills, equity per bar, drawdown and
 * trade records in ONE loop, producing the same sums as `simulate` + `equityPass` + `tradePass`,
 * so the statistics come from the same `deriveStats`. It is an optimisation of that reference
 * path for grids (no targets or equity arrays, one pass over memory), and a property test holds
 * it to the reference bit for bit (test/lib/backtest/cross-kernel.property.test.ts).
 */
import { deriveStats, type EquitySums, type TradeSums } from './metrics.ts';
import type { StrategyMode } from './strategies/types.ts';
import type { Bars, EngineOptions, Stats } from './types.ts';

/** Trade records as columns, reused across evaluations (a grid cell's trades, without an object per trade). */
export class TradeLog {
  count = 0;
  direction = new Int8Array(64);
  entryIndex = new Int32Array(64);
  exitIndex = new Int32Array(64);
  entryPrice = new Float64Array(64);
  exitPrice = new Float64Array(64);
  quantity = new Float64Array(64);
  fees = new Float64Array(64);
  pnl = new Float64Array(64);

  reset(): void {
    this.count = 0;
  }

  /** Makes room for one more record. */
  grow(): void {
    if (this.count < this.direction.length) return;
    const size = this.direction.length * 2;
    const widen = <T extends Int8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.direction = widen(this.direction, (n) => new Int8Array(n));
    this.entryIndex = widen(this.entryIndex, (n) => new Int32Array(n));
    this.exitIndex = widen(this.exitIndex, (n) => new Int32Array(n));
    this.entryPrice = widen(this.entryPrice, (n) => new Float64Array(n));
    this.exitPrice = widen(this.exitPrice, (n) => new Float64Array(n));
    this.quantity = widen(this.quantity, (n) => new Float64Array(n));
    this.fees = widen(this.fees, (n) => new Float64Array(n));
    this.pnl = widen(this.pnl, (n) => new Float64Array(n));
  }
}

/**
 * Evaluates "long when a crosses above b" (the opposite cross exits or reverses) on `bars`.
 * Same conventions, same numbers as `crossTargets` → `simulate` → `computeStats`.
 * @example const stats = crossKernel(bars, sma10, sma30, 'long', options, 8760, new TradeLog());
 */
export function crossKernel(
  bars: Bars,
  a: Float64Array,
  b: Float64Array,
  mode: StrategyMode,
  options: EngineOptions,
  periodsPerYear: number,
  log: TradeLog,
): Stats {
  const { open, close, time } = bars;
  const n = close.length;
  const onDown = mode === 'long' ? 0 : -1;
  const fee = options.feeRate;
  const slip = options.slippageBps / 10_000;
  const lot = options.lotStep;
  const lag = options.fillAt === 'next-open' ? 1 : 0;
  const fillPrice = lag === 1 ? open : close;
  log.reset();

  // Targets (crossTargets): `state` is the target after bar t's close.
  let state = 0;
  // `stateBefore` (set each bar) is the target of bar t-1, which a next-open fill at bar t acts on.
  let prevA = a[0]!;
  let prevB = b[0]!;
  // Account (simulate).
  let cash = options.cash;
  let position = 0;
  let quantity = 0;
  let units = 0;
  let entryPrice = 0;
  let entryFee = 0;
  let entryIndex = 0;
  let lastTarget = 0;
  let exposureBars = 0;
  // Bar pass (equityPass).
  let peakEquity = -Infinity;
  let prevEquity = options.cash;
  let returnsDefined = true;
  let returnCount = 0;
  let shift = Number.NaN;
  let shiftedSum = 0;
  let shiftedSumSq = 0;
  let downsideSumSq = 0;
  let ddPeak = options.cash;
  let ddPeakIndex = 0;
  let inDrawdown = false;
  let episodeMin = Infinity;
  let maxDrawdown = 0;
  let maxDrawdownDurationMs = 0;
  let episodeDepthSum = 0;
  let episodeCount = 0;
  let zeroReturns = 0;
  // Trade pass (tradePass).
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let pnlMean = 0;
  let pnlM2 = 0;
  let returnPctSum = 0;
  let bestTradePct = -Infinity;
  let worstTradePct = Infinity;
  let durationMsSum = 0;
  let maxDurationMs = 0;

  for (let t = 0; t < n; t++) {
    // 1. This bar's target from the crossover (bar 0 has none).
    const stateBefore = state;
    if (t > 0) {
      const curA = a[t]!;
      const curB = b[t]!;
      if (prevA < prevB && curA > curB) state = 1;
      else if (prevA > prevB && curA < curB) state = onDown;
      prevA = curA;
      prevB = curB;
    }
    // 2. Orders and fills.
    let e: number;
    if (t >= lag) {
      const want = lag === 1 ? stateBefore : state;
      if (want !== lastTarget) {
        lastTarget = want;
        const price = fillPrice[t]!;
        if (position !== 0 && want !== position) {
          const fill = position === 1 ? price * (1 - slip) : price * (1 + slip);
          const notional = quantity * fill;
          const exitFee = notional * fee;
          cash += position === 1 ? notional - exitFee : -notional - exitFee;
          const pnl = position * (fill - entryPrice) * quantity - entryFee - exitFee;
          const returnPct = (pnl / (entryPrice * quantity)) * 100;
          const durationMs = time[t]! - time[entryIndex]!;
          log.grow();
          const k = log.count++;
          log.direction[k] = position; log.entryIndex[k] = entryIndex; log.exitIndex[k] = t; log.entryPrice[k] = entryPrice;
          log.exitPrice[k] = fill; log.quantity[k] = quantity; log.fees[k] = entryFee + exitFee; log.pnl[k] = pnl;
          if (pnl > 0) { wins++; grossProfit += pnl; } else if (pnl < 0) grossLoss -= pnl;
          const delta = pnl - pnlMean;
          pnlMean += delta / log.count;
          pnlM2 += delta * (pnl - pnlMean);
          returnPctSum += returnPct;
          if (returnPct > bestTradePct) bestTradePct = returnPct;
          if (returnPct < worstTradePct) worstTradePct = returnPct;
          durationMsSum += durationMs;
          if (durationMs > maxDurationMs) maxDurationMs = durationMs;
          position = 0;
          quantity = 0;
        }
        if (want !== 0 && position === 0 && cash > 0) {
          const fill = want === 1 ? price * (1 + slip) : price * (1 - slip);
          const size = cash / (fill * (1 + fee));
          const rounded = lot > 0 ? Math.floor(size / lot + 1e-9) * lot : size;
          if (rounded > 0) {
            const notional = rounded * fill;
            entryFee = notional * fee;
            cash += want === 1 ? -notional - entryFee : notional - entryFee;
            position = want;
            quantity = rounded;
            entryPrice = fill;
            entryIndex = t;
          }
        }
        units = position * quantity;
      }
      e = cash + units * close[t]!;
      if (units !== 0) exposureBars++;
    } else {
      e = cash;
    }
    // 3. The last bar closes what is still open (simulate's end-of-data close).
    if (t === n - 1 && position !== 0) {
      const price = close[t]!;
      const fill = position === 1 ? price * (1 - slip) : price * (1 + slip);
      const notional = quantity * fill;
      const exitFee = notional * fee;
      cash += position === 1 ? notional - exitFee : -notional - exitFee;
      const pnl = position * (fill - entryPrice) * quantity - entryFee - exitFee;
      const returnPct = (pnl / (entryPrice * quantity)) * 100;
      const durationMs = time[t]! - time[entryIndex]!;
      log.grow();
      const k = log.count++;
      log.direction[k] = position; log.entryIndex[k] = entryIndex; log.exitIndex[k] = t; log.entryPrice[k] = entryPrice;
      log.exitPrice[k] = fill; log.quantity[k] = quantity; log.fees[k] = entryFee + exitFee; log.pnl[k] = pnl;
      if (pnl > 0) { wins++; grossProfit += pnl; } else if (pnl < 0) grossLoss -= pnl;
      const delta = pnl - pnlMean;
      pnlMean += delta / log.count;
      pnlM2 += delta * (pnl - pnlMean);
      returnPctSum += returnPct;
      if (returnPct > bestTradePct) bestTradePct = returnPct;
      if (returnPct < worstTradePct) worstTradePct = returnPct;
      durationMsSum += durationMs;
      if (durationMs > maxDurationMs) maxDurationMs = durationMs;
      position = 0;
      quantity = 0;
      e = cash;
    }
    // 4. The bar pass over equity, as equityPass.
    if (e === prevEquity && e > 0) {
      zeroReturns++;
      if (e > peakEquity) peakEquity = e;
      if (!inDrawdown) ddPeakIndex = t;
      continue;
    }
    if (!Number.isFinite(e)) throw new RangeError(`crossKernel: equity at bar ${t} is ${e}`);
    if (e > peakEquity) peakEquity = e;
    if (prevEquity > 0) {
      const r = e / prevEquity - 1;
      if (returnCount === 0) shift = r;
      returnCount++;
      const d = r - shift;
      shiftedSum += d;
      shiftedSumSq += d * d;
      const loss = 0.5 * (r - Math.abs(r));
      downsideSumSq += loss * loss;
    } else {
      returnsDefined = false;
    }
    prevEquity = e;
    if (e >= ddPeak) {
      if (inDrawdown) {
        const durationMs = time[t]! - time[ddPeakIndex]!;
        if (durationMs > maxDrawdownDurationMs) maxDrawdownDurationMs = durationMs;
        const episodeDepth = 1 - episodeMin / ddPeak;
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
    const durationMs = time[n - 1]! - time[ddPeakIndex]!;
    if (durationMs > maxDrawdownDurationMs) maxDrawdownDurationMs = durationMs;
    const episodeDepth = 1 - episodeMin / ddPeak;
    if (episodeDepth > maxDrawdown) maxDrawdown = episodeDepth;
    episodeDepthSum += episodeDepth;
    episodeCount++;
  }
  if (zeroReturns > 0) {
    if (returnCount === 0) shift = 0;
    shiftedSum -= zeroReturns * shift;
    shiftedSumSq += zeroReturns * shift * shift;
    returnCount += zeroReturns;
  }
  const eq: EquitySums = {
    peakEquity, returnsDefined, returnCount, shift, shiftedSum, shiftedSumSq, downsideSumSq, maxDrawdown,
    maxDrawdownDurationMs, episodeDepthSum, episodeCount,
  };
  const tr: TradeSums = {
    tradeCount: log.count, wins, grossProfit, grossLoss, pnlMean, pnlM2, returnPctSum, bestTradePct, worstTradePct, durationMsSum, maxDurationMs,
  };
  return deriveStats(
    {
      bars: n, firstTimeMs: time[0]!, lastTimeMs: time[n - 1]!, finalEquity: cash, // every position is closed by the last bar
      exposureBars, cash: options.cash, periodsPerYear, firstClose: close[0]!, lastClose: close[n - 1]!,
    },
    eq,
    tr,
  );
}
