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
  const fee = options.feeRate;
  const slip = options.slippageBps / 10_000;
  const lot = options.lotStep;
  const nextOpen = options.fillAt === 'next-open';
  const trades: Trade[] = [];

  let cash = options.cash;
  let position = 0; // -1, 0, 1
  let lastTarget = 0; // orders come from changes of target, not from a gap between target and position
  let quantity = 0; // units held, positive
  let entryPrice = 0;
  let entryFee = 0;
  let entryIndex = 0;
  let exposureBars = 0;

  const closePosition = (t: number, price: number, atEnd: boolean) => {
    // Selling a long fills below the price, buying back a short above it.
    const fill = position === 1 ? price * (1 - slip) : price * (1 + slip);
    const notional = quantity * fill;
    const exitFee = notional * fee;
    cash += position === 1 ? notional - exitFee : -notional - exitFee;
    const pnl = position * (fill - entryPrice) * quantity - entryFee - exitFee;
    trades.push({
      direction: position as 1 | -1,
      entryIndex,
      exitIndex: t,
      entryTimeMs: time[entryIndex]!,
      exitTimeMs: time[t]!,
      entryPrice,
      exitPrice: fill,
      quantity,
      fees: entryFee + exitFee,
      pnl,
      returnPct: (pnl / (entryPrice * quantity)) * 100,
      closedAtEnd: atEnd,
    });
    position = 0;
    quantity = 0;
  };

  const openPosition = (t: number, direction: number, price: number) => {
    if (cash <= 0) return;
    const fill = direction === 1 ? price * (1 + slip) : price * (1 - slip);
    const units = roundDownToLot(cash / (fill * (1 + fee)), lot);
    if (!(units > 0)) return;
    const notional = units * fill;
    entryFee = notional * fee;
    cash += direction === 1 ? -notional - entryFee : notional - entryFee;
    position = direction;
    quantity = units;
    entryPrice = fill;
    entryIndex = t;
  };

  for (let t = 0; t < n; t += 1) {
    let want = position;
    let price = 0;
    if (nextOpen) {
      if (t > 0) {
        want = targets[t - 1]!;
        price = open[t]!;
      }
    } else {
      want = targets[t]!;
      price = close[t]!;
    }
    if (want !== lastTarget) {
      lastTarget = want;
      if (position !== 0 && want !== position) closePosition(t, price, false);
      if (want !== 0 && position === 0) openPosition(t, want, price);
    }
    equity[t] = position === 0 ? cash : cash + position * quantity * close[t]!;
    if (position !== 0) exposureBars += 1;
  }
  if (position !== 0 && n > 0) {
    closePosition(n - 1, close[n - 1]!, true);
    equity[n - 1] = cash;
  }
  return { equity, trades, exposureBars };
}
