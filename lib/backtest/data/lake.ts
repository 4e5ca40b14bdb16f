/** Bars and lot steps from the lake, through the DuckDB views. */
import type { LakeQuery } from '../../lake/query.ts';
import { BarsInputError } from '../errors.ts';
import type { Bars } from '../types.ts';
import { toBars } from './bars.ts';

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * One series from the `ohlcv` view, optionally limited to [fromMs, toMs).
 * @example const bars = await loadBarsFromLake(lake, 'BTC/USDT', '1h', { fromMs: Date.parse('2024-01-01') });
 */
export async function loadBarsFromLake(lake: LakeQuery, symbol: string, timeframe: string, window: { fromMs?: number; toMs?: number } = {}): Promise<Bars> {
  const where = [`symbol = ${quote(symbol)}`, `timeframe = ${quote(timeframe)}`];
  if (window.fromMs !== undefined) where.push(`open_time >= make_timestamp(${Math.round(window.fromMs * 1000)})`);
  if (window.toMs !== undefined) where.push(`open_time < make_timestamp(${Math.round(window.toMs * 1000)})`);
  const reader = await lake.connection.runAndReadAll(
    `SELECT epoch_ms(open_time)::DOUBLE AS time, open, high, low, close, volume FROM ohlcv WHERE ${where.join(' AND ')} ORDER BY open_time`,
  );
  const cols = reader.getColumnsObjectJS() as unknown as Record<string, Array<number | null>>;
  if ((cols['time']?.length ?? 0) === 0) throw new BarsInputError(`lake has no ${symbol} ${timeframe} candles${window.fromMs ? ` from ${new Date(window.fromMs).toISOString()}` : ''}`);
  return toBars(`lake ${symbol} ${timeframe}`, symbol, timeframe, cols as never);
}

/** The market's lot step from the newest `markets` snapshot; undefined when unknown. */
export async function lotStepFromLake(lake: LakeQuery, symbol: string): Promise<number | undefined> {
  const rows = await lake.rows(`SELECT lot_step FROM markets WHERE symbol = ${quote(symbol)} LIMIT 1`);
  const step = rows[0]?.['lot_step'];
  return typeof step === 'number' && step > 0 ? step : undefined;
}
