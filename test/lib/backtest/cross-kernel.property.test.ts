/**
 * Property: the fused grid kernel gives exactly the statistics and trades of the reference path
 * (crossTargets → simulate → computeStats), for random series, averages, modes and options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossKernel, TradeLog } from '../../../lib/backtest/cross-kernel.ts';
import { computeStats } from '../../../lib/backtest/metrics.ts';
import { simulate } from '../../../lib/backtest/simulate.ts';
import { crossTargets } from '../../../lib/backtest/strategies/signals.ts';
import type { EngineOptions } from '../../../lib/backtest/types.ts';
import { ema, sma } from '../../../lib/indicators/index.ts';
import { randomWalkBars } from '../../harness/bars.ts';

describe('crossKernel vs the reference path', () => {
  it('identical stats and trade records', () => {
    const log = new TradeLog();
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 600 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 2, max: 60 }),
        fc.constantFrom('sma', 'ema'),
        fc.constantFrom('long' as const, 'long-short' as const),
        fc.record({
          feeRate: fc.constantFrom(0, 0.001, 0.01),
          slippageBps: fc.constantFrom(0, 3, 50),
          lotStep: fc.constantFrom(0, 0.001, 1),
          fillAt: fc.constantFrom('next-open' as const, 'close' as const),
          cash: fc.constantFrom(50, 10_000),
        }),
        (n, seed, fast, extra, kind, mode, opts) => {
          const bars = randomWalkBars(n, seed);
          const avg = kind === 'sma' ? sma : ema;
          const a = avg(bars.close, fast);
          const b = avg(bars.close, fast + extra);
          const options: EngineOptions = { ...opts };
          const sim = simulate(bars, crossTargets(a, b, mode), options);
          const expected = computeStats({
            time: bars.time, close: bars.close, equity: sim.equity, trades: sim.trades, exposureBars: sim.exposureBars, cash: options.cash, periodsPerYear: 8760,
          });
          const actual = crossKernel(bars, a, b, mode, options, 8760, log);
          expect(actual).toEqual(expected);
          expect(log.count).toBe(sim.trades.length);
          sim.trades.forEach((t, i) => {
            expect([log.direction[i], log.entryIndex[i], log.exitIndex[i], log.entryPrice[i], log.exitPrice[i], log.quantity[i], log.fees[i], log.pnl[i]]).toEqual([
              t.direction, t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice, t.quantity, t.fees, t.pnl,
            ]);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
