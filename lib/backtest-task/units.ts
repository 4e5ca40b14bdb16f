/**
 * The daily backtest's units of work: symbol × timeframe × strategy (with its grid). Units have
 * stable ids, so a restarted task recognises what it already finished, and a shard i/N takes
 * every N-th unit, so N tasks split the work without talking to each other.
 */
import type { CandlelakeConfig } from '../config/schema.ts';
import type { Timeframe } from '../config/universe.ts';

export interface Unit {
  /** Stable and key-safe: `BTC-USDT_1h_sma-cross`. */
  id: string;
  symbol: string;
  timeframe: Timeframe;
  strategy: string;
  params: string;
  grid: string;
}

/**
 * Every unit of the daily run, in a stable order.
 * @example planUnits(config).length // symbols × timeframes × strategies
 */
export function planUnits(config: CandlelakeConfig): Unit[] {
  const units: Unit[] = [];
  for (const symbol of config.universe.symbols) {
    for (const timeframe of config.backtest.timeframes) {
      for (const s of config.backtest.strategies) {
        units.push({ id: `${symbol.replace('/', '-')}_${timeframe}_${s.name}`, symbol, timeframe, strategy: s.name, params: s.params, grid: s.grid });
      }
    }
  }
  return units;
}

export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `i/N` (0-based index).
 * @example parseShard('1/4') // { index: 1, count: 4 }
 */
export function parseShard(spec: string | undefined): Shard {
  if (!spec) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new RangeError(`invalid shard "${spec}": use i/N with 0 ≤ i < N`);
  return { index, count };
}

/** The units shard `shard` owns: every N-th one. */
export function shardUnits(units: readonly Unit[], shard: Shard): Unit[] {
  return units.filter((_, i) => i % shard.count === shard.index);
}
