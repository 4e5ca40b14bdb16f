/** Small hand-made bar series for engine tests. */
import type { Bars } from '../../lib/backtest/types.ts';

const H = 3_600_000;

/**
 * Bars from open and close prices; high/low bracket them, volume 1, hourly from 2024-01-01.
 * @example barsFrom([10, 11], [10.5, 11.5])
 */
export function barsFrom(open: number[], close: number[], symbol = 'TEST/USDT'): Bars {
  const n = open.length;
  const t0 = Date.UTC(2024, 0, 1);
  return {
    symbol, timeframe: '1h',
    time: Float64Array.from({ length: n }, (_, i) => t0 + i * H),
    open: Float64Array.from(open),
    high: Float64Array.from(open.map((o, i) => Math.max(o, close[i]!) + 0.5)),
    low: Float64Array.from(open.map((o, i) => Math.min(o, close[i]!) - 0.5)),
    close: Float64Array.from(close),
    volume: new Float64Array(n).fill(1),
  };
}

/** A random-walk series (deterministic for a seed), open = previous close. */
export function randomWalkBars(n: number, seed = 1, symbol = 'RW/USDT'): Bars {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x1_0000_0000;
  };
  const open: number[] = [];
  const close: number[] = [];
  let price = 100;
  for (let i = 0; i < n; i += 1) {
    open.push(price);
    price = Math.max(1, price * (1 + (rand() - 0.5) * 0.04));
    close.push(Math.round(price * 100) / 100);
    price = close[i]!;
  }
  return barsFrom(open, close, symbol);
}
