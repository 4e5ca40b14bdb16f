/**
 * The fused grid kernel for crossover strategies: targets, fills, equity per bar, drawdown and
 * trade records in ONE loop, producing the same sums as `simulate` + `equityPass` + `tradePass`,
 * so the statistics come from the same `deriveStats`. It is an optimisation of that reference
 * path for grids (no targets or equity arrays, one pass over memory), and a property test holds
 * it to the reference bit for bit (test/lib/backtest/cross-kernel.property.test.ts).
 */
import { deriveStats, type EquitySums, type TradeSums } from './metrics.ts';
import { closeFill, openPosition, type Account } from './simulate.ts';
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

/** The account and the trade pass's sums, touched only when an order fills (rare next to bars). */
interface KernelBook extends Account {
  readonly time: Float64Array;
  readonly log: TradeLog;
  // tradePass, in the same order of operations
  wins: number;
  grossProfit: number;
  grossLoss: number;
  pnlMean: number;
  pnlM2: number;
  returnPctSum: number;
  bestTradePct: number;
  worstTradePct: number;
  durationMsSum: number;
  maxDurationMs: number;
}

/** Closes the open position at `price` (simulate's fill, then tradePass's step on the record). */
function closeAt(b: KernelBook, t: number, price: number): void {
  const { fill, exitFee, pnl } = closeFill(b, price);
  const returnPct = (pnl / (b.entryPrice * b.quantity)) * 100;
  const durationMs = b.time[t]! - b.time[b.entryIndex]!;
  const log = b.log;
  log.grow();
  const k = log.count++;
  log.direction[k] = b.position;
  log.entryIndex[k] = b.entryIndex;
  log.exitIndex[k] = t;
  log.entryPrice[k] = b.entryPrice;
  log.exitPrice[k] = fill;
  log.quantity[k] = b.quantity;
  log.fees[k] = b.entryFee + exitFee;
  log.pnl[k] = pnl;
  if (pnl > 0) {
    b.wins++;
    b.grossProfit += pnl;
  } else if (pnl < 0) b.grossLoss -= pnl;
  const delta = pnl - b.pnlMean;
  b.pnlMean += delta / log.count;
  b.pnlM2 += delta * (pnl - b.pnlMean);
  b.returnPctSum += returnPct;
  if (returnPct > b.bestTradePct) b.bestTradePct = returnPct;
  if (returnPct < b.worstTradePct) b.worstTradePct = returnPct;
  b.durationMsSum += durationMs;
  if (durationMs > b.maxDurationMs) b.maxDurationMs = durationMs;
  b.position = 0;
  b.quantity = 0;
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
  const lag = options.fillAt === 'next-open' ? 1 : 0;
  const fillPrice = lag === 1 ? open : close;
  log.reset();
  const book: KernelBook = {
    cash: options.cash, position: 0, quantity: 0, entryPrice: 0, entryFee: 0, entryIndex: 0,
    fee: options.feeRate, slip: options.slippageBps / 10_000, lot: options.lotStep, time, log,
    wins: 0, grossProfit: 0, grossLoss: 0, pnlMean: 0, pnlM2: 0, returnPctSum: 0,
    bestTradePct: -Infinity, worstTradePct: Infinity, durationMsSum: 0, maxDurationMs: 0,
  };

  // Targets (crossTargets): `state` is the target after bar t's close.
  let state = 0;
  let prevA = a[0]!;
  let prevB = b[0]!;
  // The account as the hot loop sees it; the book holds the rest.
  let cash = options.cash;
  let units = 0; // signed quantity
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

  for (let t = 0; t < n; t++) {
    // 1. This bar's target from the crossover (bar 0 has none); a next-open fill acts on the previous one.
    const stateBefore = state;
    if (t > 0) {
      const curA = a[t]!;
      const curB = b[t]!;
      if (prevA < prevB && curA > curB) state = 1;
      else if (prevA > prevB && curA < curB) state = onDown;
      prevA = curA;
      prevB = curB;
    }
    // 2. Orders and fills (simulate).
    let e = cash;
    if (t >= lag) {
      const want = lag === 1 ? stateBefore : state;
      if (want !== lastTarget) {
        lastTarget = want;
        const price = fillPrice[t]!;
        book.cash = cash;
        if (book.position !== 0 && want !== book.position) closeAt(book, t, price);
        if (want !== 0 && book.position === 0) openPosition(book, t, want, price);
        cash = book.cash;
        units = book.position * book.quantity;
      }
      e = cash + units * close[t]!;
      if (units !== 0) exposureBars++;
    }
    // 3. The last bar closes what is still open (simulate's end-of-data close).
    if (t === n - 1 && units !== 0) {
      book.cash = cash;
      closeAt(book, t, close[t]!);
      cash = book.cash;
      units = 0;
      e = cash;
    }
    // 4. The bar pass over equity (equityPass, same order of operations).
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
    tradeCount: log.count, wins: book.wins, grossProfit: book.grossProfit, grossLoss: book.grossLoss, pnlMean: book.pnlMean,
    pnlM2: book.pnlM2, returnPctSum: book.returnPctSum, bestTradePct: book.bestTradePct, worstTradePct: book.worstTradePct,
    durationMsSum: book.durationMsSum, maxDurationMs: book.maxDurationMs,
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
