/**
 * The simulation loop: one pass over the bars, filling target positions under the engine's
 * conventions (README, "Backtest conventions"). Every statistic is computed afterwards from
 * what this returns. Tight on purpose: grids call it millions of bars at a time.
 */
import type { Bars, EngineOptions, Simulation, Targets, Trade } from './types.ts';

/**
 * Rounds a quantity down to the lot step. The small epsilon keeps 0.3 / 0.1 from flooring to 2.
 * @example roundDownToLot(2.999, 1) // 2
 */
export function roundDownToLot(quantity: number, lotStep: number): number {
  if (lotStep <= 0) return quantity;
  return Math.floor(quantity / lotStep + 1e-9) * lotStep;
}

/**
 * Runs `targets` (the position wanted after each bar's close) over `bars`.
 *
 * - `fillAt: 'next-open'`: the target of bar t is filled at bar t+1's open; `'close'`: at bar t's close.
 * - Every fill pays `feeRate` × notional; slippage moves the fill price against us.
 * - All-in sizing: quantity = equity / (fill price × (1 + fee rate)), rounded down to the lot step,
 *   so the entry fee is paid from the same equity (with no fee this is exactly equity / price).
 * - A reversal closes and opens at the same fill; a position still open after the last bar is
 *   closed at the last close (`closedAtEnd`).
 * - Orders come from changes of the target. An entry that cannot be filled (no cash, or a size
 *   that rounds to zero lots) is dropped, as backtesting.py cancels an order it cannot afford: the
 *   engine never enters late at a price the signal did not see.
 *
 * @param equityBuffer reused across calls in grids to avoid allocating per run
 * @example const sim = simulate(bars, targets, { cash: 10_000, feeRate: 0.001, slippageBps: 0, lotStep: 0, fillAt: 'next-open' });
 */
export function simulate(bars: Bars, targets: Targets, options: EngineOptions, equityBuffer?: Float64Array): Simulation {
  const { open, close, time } = bars;
  const n = close.length;
  if (targets.length !== n) throw new RangeError(`targets has ${targets.length} entries for ${n} bars`);
  const equity = equityBuffer && equityBuffer.length >= n ? equityBuffer.subarray(0, n) : new Float64Array(n);
  const book: Book = {
    cash: options.cash, position: 0, quantity: 0, entryPrice: 0, entryFee: 0, entryIndex: 0,
    fee: options.feeRate, slip: options.slippageBps / 10_000, lot: options.lotStep, time, trades: [],
  };
  const nextOpen = options.fillAt === 'next-open';

  // The hot loop keeps cash and the signed position in locals; orders (rare) go through the book.
  let cash = book.cash;
  let units = 0; // signed quantity: + long, - short, 0 flat
  let lastTarget = 0; // orders come from changes of target, not from a gap between target and position
  let exposureBars = 0;
  // next-open: bar t acts on target t-1 at its open (bar 0 has no signal yet); close: target t at its close.
  const lag = nextOpen ? 1 : 0;
  const fillPrice = nextOpen ? open : close;
  if (lag === 1 && n > 0) equity[0] = cash;
  for (let t = lag; t < n; t += 1) {
    const want = targets[t - lag]!;
    if (want !== lastTarget) {
      lastTarget = want;
      const price = fillPrice[t]!;
      book.cash = cash;
      if (book.position !== 0 && want !== book.position) closePosition(book, t, price, false);
      if (want !== 0 && book.position === 0) openPosition(book, t, want, price);
      cash = book.cash;
      units = book.position * book.quantity;
    }
    // Flat: units is 0 and this is exactly `cash`.
    equity[t] = cash + units * close[t]!;
    if (units !== 0) exposureBars += 1;
  }
  if (book.position !== 0 && n > 0) {
    book.cash = cash;
    closePosition(book, n - 1, close[n - 1]!, true);
    equity[n - 1] = book.cash;
  }
  return { equity, trades: book.trades, exposureBars };
}

/** The account between orders: what a fill reads and changes. Shared with the fused grid kernel. */
export interface Account {
  cash: number;
  position: number; // -1, 0, 1
  quantity: number; // units held, positive
  entryPrice: number;
  entryFee: number;
  entryIndex: number;
  readonly fee: number;
  readonly slip: number;
  readonly lot: number;
}

interface Book extends Account {
  readonly time: Float64Array;
  readonly trades: Trade[];
}

/**
 * Fills the exit of the open position at `price`: cash settles, the position is left for the
 * caller to record and clear. Selling a long fills below the price, buying back a short above it.
 */
export function closeFill(b: Account, price: number): { fill: number; exitFee: number; pnl: number } {
  const fill = b.position === 1 ? price * (1 - b.slip) : price * (1 + b.slip);
  const notional = b.quantity * fill;
  const exitFee = notional * b.fee;
  b.cash += b.position === 1 ? notional - exitFee : -notional - exitFee;
  const pnl = b.position * (fill - b.entryPrice) * b.quantity - b.entryFee - exitFee;
  return { fill, exitFee, pnl };
}

function closePosition(b: Book, t: number, price: number, atEnd: boolean): void {
  const { fill, exitFee, pnl } = closeFill(b, price);
  b.trades.push({
    direction: b.position as 1 | -1,
    entryIndex: b.entryIndex,
    exitIndex: t,
    entryTimeMs: b.time[b.entryIndex]!,
    exitTimeMs: b.time[t]!,
    entryPrice: b.entryPrice,
    exitPrice: fill,
    quantity: b.quantity,
    fees: b.entryFee + exitFee,
    pnl,
    returnPct: (pnl / (b.entryPrice * b.quantity)) * 100,
    closedAtEnd: atEnd,
  });
  b.position = 0;
  b.quantity = 0;
}

/** Opens `direction` all-in at `price`; nothing when the account cannot afford one lot. */
export function openPosition(b: Account, t: number, direction: number, price: number): void {
  if (b.cash <= 0) return;
  const fill = direction === 1 ? price * (1 + b.slip) : price * (1 - b.slip);
  const units = roundDownToLot(b.cash / (fill * (1 + b.fee)), b.lot);
  if (!(units > 0)) return;
  const notional = units * fill;
  b.entryFee = notional * b.fee;
  b.cash += direction === 1 ? -notional - b.entryFee : notional - b.entryFee;
  b.position = direction;
  b.quantity = units;
  b.entryPrice = fill;
  b.entryIndex = t;
}
