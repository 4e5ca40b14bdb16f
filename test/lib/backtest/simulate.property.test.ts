/**
 * Property: any random target sequence run through the engine gives the same trades and equity
 * as a deliberately simple, slow reference written independently here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../lib/backtest/simulate.ts';
import type { Bars, EngineOptions } from '../../../lib/backtest/types.ts';
import { randomWalkBars } from '../../harness/bars.ts';

interface RefTrade { direction: number; entryIndex: number; exitIndex: number; entryPrice: number; exitPrice: number; quantity: number; pnl: number; closedAtEnd: boolean }

/** The reference: an explicit list of orders, then a bar-by-bar ledger. No shared code with the engine. */
function referenceSimulate(bars: Bars, targets: number[], o: EngineOptions) {
  const n = bars.close.length;
  // 1. Orders: when and at what raw price the wanted position changes.
  const orders: Array<{ index: number; want: number; price: number }> = [];
  let held = 0;
  for (let t = 0; t < n; t++) {
    const signalBar = o.fillAt === 'next-open' ? t - 1 : t;
    if (signalBar < 0) continue;
    const want = targets[signalBar]!;
    if (want !== held) {
      orders.push({ index: t, want, price: o.fillAt === 'next-open' ? bars.open[t]! : bars.close[t]! });
      held = want;
    }
  }
  // 2. Ledger.
  const ledger = { cash: o.cash, side: 0, qty: 0, entry: 0, entryFee: 0, entryIndex: -1 };
  const trades: RefTrade[] = [];
  const equity: number[] = [];
  const exit = (index: number, price: number, atEnd: boolean) => {
    const fill = ledger.side > 0 ? price * (1 - o.slippageBps / 1e4) : price * (1 + o.slippageBps / 1e4);
    const fee = ledger.qty * fill * o.feeRate;
    if (ledger.side > 0) ledger.cash += ledger.qty * fill - fee;
    else ledger.cash -= ledger.qty * fill + fee;
    trades.push({
      direction: ledger.side, entryIndex: ledger.entryIndex, exitIndex: index, entryPrice: ledger.entry, exitPrice: fill,
      quantity: ledger.qty, pnl: (fill - ledger.entry) * ledger.qty * ledger.side - ledger.entryFee - fee, closedAtEnd: atEnd,
    });
    ledger.side = 0;
    ledger.qty = 0;
  };
  let next = 0;
  for (let t = 0; t < n; t++) {
    while (next < orders.length && orders[next]!.index === t) {
      const order = orders[next++]!;
      if (ledger.side !== 0 && order.want !== ledger.side) exit(t, order.price, false);
      if (order.want !== 0 && ledger.side === 0 && ledger.cash > 0) {
        const fill = order.want > 0 ? order.price * (1 + o.slippageBps / 1e4) : order.price * (1 - o.slippageBps / 1e4);
        let qty = ledger.cash / (fill * (1 + o.feeRate));
        if (o.lotStep > 0) qty = Math.floor(qty / o.lotStep + 1e-9) * o.lotStep;
        if (qty > 0) {
          const fee = qty * fill * o.feeRate;
          ledger.cash += order.want > 0 ? -(qty * fill) - fee : qty * fill - fee;
          Object.assign(ledger, { side: order.want, qty, entry: fill, entryFee: fee, entryIndex: t });
        }
      }
    }
    equity.push(ledger.cash + ledger.side * ledger.qty * bars.close[t]!);
  }
  if (ledger.side !== 0) {
    exit(n - 1, bars.close[n - 1]!, true);
    equity[n - 1] = ledger.cash;
  }
  return { trades, equity };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('engine vs reference loop', () => {
  it('same trades and equity for random targets, fees, slippage, lot steps and fill rules', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.constantFrom(-1, 0, 1), { minLength: 300, maxLength: 300 }),
        fc.record({
          feeRate: fc.constantFrom(0, 0.0005, 0.001, 0.01),
          slippageBps: fc.constantFrom(0, 1, 5, 50),
          lotStep: fc.constantFrom(0, 0.001, 0.1, 1),
          fillAt: fc.constantFrom('next-open' as const, 'close' as const),
          cash: fc.constantFrom(100, 10_000, 1_000_000),
        }),
        (n, seed, rawTargets, opts) => {
          const bars = randomWalkBars(n, seed);
          const targets = rawTargets.slice(0, n);
          const options: EngineOptions = { ...opts };
          const engine = simulate(bars, Int8Array.from(targets), options);
          const ref = referenceSimulate(bars, targets, options);
          expect(engine.trades.length).toBe(ref.trades.length);
          engine.trades.forEach((t, i) => {
            const r = ref.trades[i]!;
            expect([t.direction, t.entryIndex, t.exitIndex, t.closedAtEnd]).toEqual([r.direction, r.entryIndex, r.exitIndex, r.closedAtEnd]);
            for (const k of ['entryPrice', 'exitPrice', 'quantity', 'pnl'] as const) {
              if (!close(t[k], r[k])) throw new Error(`trade ${i} ${k}: engine ${t[k]} vs reference ${r[k]}`);
            }
          });
          for (let t = 0; t < n; t++) {
            if (!close(engine.equity[t]!, ref.equity[t]!)) throw new Error(`equity[${t}]: engine ${engine.equity[t]} vs reference ${ref.equity[t]}`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
