/**
 * Building and checking {@link Bars}: the engine refuses unsorted, duplicated or non-numeric
 * input loudly and specifically, before a single bar is simulated.
 */
import { BarsInputError } from '../errors.ts';
import type { Bars } from '../types.ts';

const MS_PER_YEAR = 365 * 86_400_000;

/** Row-wise input as read from a file or the lake. */
export interface BarColumns {
  time: ArrayLike<number | null>;
  open: ArrayLike<number | null>;
  high: ArrayLike<number | null>;
  low: ArrayLike<number | null>;
  close: ArrayLike<number | null>;
  volume: ArrayLike<number | null>;
  /** The cells as written (files only), quoted in error messages. */
  raw?: Partial<Record<'open' | 'high' | 'low' | 'close' | 'volume', ArrayLike<string | null>>>;
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Validates columns and packs them into typed arrays.
 * @param source named in error messages (a file path, or `lake BTC/USDT 1h`)
 * @param firstLine line number of the first data row in `source` (2 for a CSV with a header)
 */
export function toBars(source: string, symbol: string, timeframe: string, columns: BarColumns, firstLine = 1): Bars {
  const n = columns.time.length;
  if (n < 2) throw new BarsInputError(`${source}: needs at least 2 bars, got ${n}`);
  const bars: Bars = {
    symbol, timeframe,
    time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i += 1) {
    const t = columns.time[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new BarsInputError(`${source}: line ${i + firstLine}: timestamp is missing or not a time`);
    bars.time[i] = t;
    for (const field of PRICE_FIELDS) {
      const v = columns[field][i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        const written = v === null || v === undefined ? (columns.raw?.[field]?.[i] ?? null) : String(v);
        throw new BarsInputError(`${source}: line ${i + firstLine}: ${field} is not a number (${written === null || written === '' ? 'empty' : written})`);
      }
      bars[field][i] = v;
    }
    if (i > 0) {
      const prev = bars.time[i - 1]!;
      if (t === prev) throw new BarsInputError(`${source}: line ${i + firstLine}: duplicate timestamp ${new Date(t).toISOString()}`);
      if (t < prev) throw new BarsInputError(`${source}: line ${i + firstLine}: timestamps are not in ascending order (${new Date(t).toISOString()} after ${new Date(prev).toISOString()})`);
    }
  }
  return bars;
}

const KNOWN_TIMEFRAMES: ReadonlyArray<[string, number]> = [
  ['1m', 60_000], ['5m', 300_000], ['15m', 900_000], ['30m', 1_800_000], ['1h', 3_600_000],
  ['2h', 7_200_000], ['4h', 14_400_000], ['1d', 86_400_000], ['1w', 604_800_000],
];

/**
 * The bar spacing of a series: the median gap, so a few missing bars do not change it.
 * @example inferTimeframe(bars.time) // { name: '1h', ms: 3_600_000 }
 */
export function inferTimeframe(time: Float64Array): { name: string; ms: number } {
  const gaps = new Float64Array(time.length - 1);
  for (let i = 1; i < time.length; i += 1) gaps[i - 1] = time[i]! - time[i - 1]!;
  gaps.sort();
  const ms = gaps[Math.floor(gaps.length / 2)]!;
  const known = KNOWN_TIMEFRAMES.find(([, length]) => length === ms);
  return { name: known ? known[0] : `${Math.round(ms / 60_000)}m`, ms };
}

/**
 * Bars per year for annualising: a crypto year of `daysPerYear` days (365 by default).
 * @example periodsPerYear(3_600_000) // 8760
 */
export function periodsPerYear(barMs: number, daysPerYear = 365): number {
  return (MS_PER_YEAR / 365) * daysPerYear / barMs;
}
