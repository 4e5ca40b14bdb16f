import { describe, expect, it } from 'vitest';
import { roundDownToLot, simulate } from '../../../lib/backtest/simulate.ts';
import type { EngineOptions } from '../../../lib/backtest/types.ts';
import { barsFrom } from '../../harness/bars.ts';

const base: EngineOptions = { cash: 10_000, feeRate: 0, slippageBps: 0, lotStep: 0, fillAt: 'next-open' };
const targets = (...v: number[]) => Int8Array.from(v);
const bars = barsFrom([10, 11, 12, 13], [10.5, 11.5, 12.5, 13.5]);

describe('fills', () => {
  it('a signal on bar t fills at bar t+1 open; equity is marked at each close', () => {
    const sim = simulate(bars, targets(1, 1, 0, 0), base);
    const q = 10_000 / 11;
    expect(sim.trades).toHaveLength(1);
    expect(sim.trades[0]).toMatchObject({ direction: 1, entryIndex: 1, exitIndex: 3, entryPrice: 11, exitPrice: 13, closedAtEnd: false });
    expect(sim.trades[0]!.quantity).toBeCloseTo(q, 9);
    expect(sim.trades[0]!.pnl).toBeCloseTo(2 * q, 6);
    expect(Array.from(sim.equity)).toEqual([10_000, q * 11.5, q * 12.5, q * 13].map((x) => expect.closeTo(x, 6)));
    expect(sim.exposureBars).toBe(2);
  });

  it('fill at close: the signal bar own close', () => {
    const sim = simulate(bars, targets(0, 1, 0, 0), { ...base, fillAt: 'close' });
    expect(sim.trades[0]).toMatchObject({ entryIndex: 1, exitIndex: 2, entryPrice: 11.5, exitPrice: 12.5 });
    expect(sim.trades[0]!.pnl).toBeCloseTo((10_000 / 11.5) * 1, 6);
  });

  it('the last bar target cannot fill at a next open that does not exist', () => {
    const sim = simulate(bars, targets(0, 0, 0, 1), base);
    expect(sim.trades).toEqual([]);
    expect(Array.from(sim.equity)).toEqual([10_000, 10_000, 10_000, 10_000]);
  });
});

describe('fees, slippage and lot rounding', () => {
  it('fee on both fills, all-in size covers the entry fee, rounded down to the lot step', () => {
    const sim = simulate(bars, targets(1, 1, 0, 0), { ...base, feeRate: 0.001, lotStep: 1 });
    // qty = floor(10000 / (11 × 1.001)) = floor(908.18) = 908
    const t = sim.trades[0]!;
    expect(t.quantity).toBe(908);
    // entry fee 908 × 11 × 0.001 = 9.988; exit fee 908 × 13 × 0.001 = 11.804
    expect(t.fees).toBeCloseTo(9.988 + 11.804, 9);
    expect(t.pnl).toBeCloseTo(908 * 2 - 9.988 - 11.804, 9);
    expect(t.returnPct).toBeCloseTo(((908 * 2 - 21.792) / (908 * 11)) * 100, 9);
    // cash after entry: 10000 − 9988 − 9.988 = 2.012; after exit: 2.012 + 11804 − 11.804
    expect(sim.equity[3]).toBeCloseTo(2.012 + 11_804 - 11.804, 9);
    expect(sim.equity[1]).toBeCloseTo(2.012 + 908 * 11.5, 9);
  });

  it('slippage moves both fills against us', () => {
    const sim = simulate(bars, targets(1, 1, 0, 0), { ...base, slippageBps: 10 });
    expect(sim.trades[0]!.entryPrice).toBeCloseTo(11 * 1.001, 12);
    expect(sim.trades[0]!.exitPrice).toBeCloseTo(13 * 0.999, 12);
  });

  it('a size that rounds to zero opens nothing', () => {
    const sim = simulate(bars, targets(1, 1, 0, 0), { ...base, cash: 5, lotStep: 1 });
    expect(sim.trades).toEqual([]);
    expect(sim.equity[3]).toBe(5);
  });

  it('an entry it cannot afford is dropped, not filled late when the price falls', () => {
    const cheapLater = barsFrom([10, 10, 4, 4, 4], [10, 10, 4, 4, 4]);
    const sim = simulate(cheapLater, targets(1, 1, 1, 0, 1), { ...base, cash: 5, lotStep: 1 });
    // t=1 open 10 > cash 5: dropped; bars 2–3 keep the same target, so no order; the new target at t=4 is the next order.
    expect(sim.trades).toEqual([]);
    const later = simulate(cheapLater, targets(1, 0, 1, 1, 1), { ...base, cash: 5, lotStep: 1 });
    expect(later.trades.map((t) => [t.entryIndex, t.quantity])).toEqual([[3, 1]]);
  });

  it.each([
    [2.999, 1, 2],
    [0.3, 0.1, 0.30000000000000004],
    [123.456, 0.01, 123.45],
    [5.5, 0, 5.5],
  ])('roundDownToLot(%d, %d) = %d', (q, step, expected) => {
    expect(roundDownToLot(q, step)).toBeCloseTo(expected, 9);
  });
});

describe('shorts, reversals and the end of data', () => {
  it('a short profits when the price falls; buying back pays the exit fee', () => {
    const falling = barsFrom([20, 20, 18, 16], [20, 19, 17, 15]);
    const sim = simulate(falling, targets(-1, -1, 0, 0), { ...base, feeRate: 0.001 });
    const t = sim.trades[0]!;
    const q = 10_000 / (20 * 1.001);
    expect(t).toMatchObject({ direction: -1, entryPrice: 20, exitPrice: 16 });
    expect(t.quantity).toBeCloseTo(q, 9);
    expect(t.pnl).toBeCloseTo(4 * q - q * 20 * 0.001 - q * 16 * 0.001, 6);
    // equity while short = cash − q × close
    expect(sim.equity[2]).toBeCloseTo(10_000 + q * 20 - q * 20 * 0.001 - 10_000 + 10_000 - q * 17, 6);
  });

  it('a reversal closes and opens at the same fill', () => {
    const sim = simulate(barsFrom([10, 10, 12, 11, 9], [10, 11, 12, 10, 9]), targets(1, -1, -1, -1, -1), base);
    expect(sim.trades.map((t) => [t.direction, t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice])).toEqual([
      [1, 1, 2, 10, 12],
      [-1, 2, 4, 12, 9],
    ]);
    expect(sim.trades[1]!.closedAtEnd).toBe(true);
    const q1 = 10_000 / 10;
    const q2 = (q1 * 12) / 12;
    expect(sim.trades[1]!.quantity).toBeCloseTo(q2, 9);
    expect(sim.equity[4]).toBeCloseTo(12_000 + q2 * 3, 6);
  });

  it('a position open at the end is closed at the last close, with fee, and counted', () => {
    const sim = simulate(bars, targets(1, 1, 1, 1), { ...base, feeRate: 0.001 });
    const t = sim.trades[0]!;
    expect(t).toMatchObject({ exitIndex: 3, exitPrice: 13.5, closedAtEnd: true });
    expect(sim.equity[3]).toBeCloseTo(10_000 - t.fees + t.quantity * 2.5, 6);
  });
});
