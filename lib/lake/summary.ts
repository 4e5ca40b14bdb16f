/**
 * What the lake holds, in a few lines: per dataset and timeframe, how many series, candles,
 * objects and bytes, and the time span covered.
 */
import type { ObjectStore } from '../object-store/types.ts';
import { openLakeQuery } from './query.ts';

export interface TimeframeSummary {
  timeframe: string;
  symbols: number;
  candles: number;
  firstOpenTime: string | null;
  lastOpenTime: string | null;
}

export interface LakeSummary {
  lake: string;
  ohlcv: TimeframeSummary[];
  objects: number;
  bytes: number;
  /** Stored bytes per stored candle, OHLCV objects only. */
  bytesPerCandle: number | null;
  markets: number;
}

const TIMEFRAME_ORDER = "CASE timeframe WHEN '15m' THEN 1 WHEN '1h' THEN 2 WHEN '4h' THEN 3 WHEN '1d' THEN 4 ELSE 5 END";

/**
 * @example const summary = await summarizeLake(store, '.cache/lake');
 */
export async function summarizeLake(store: ObjectStore, cacheDir: string): Promise<LakeSummary> {
  const lake = await openLakeQuery(store, cacheDir);
  try {
    const rows = await lake.rows(
      `SELECT timeframe, count(DISTINCT symbol)::INTEGER AS symbols, count(*)::BIGINT AS candles, ` +
        `strftime(min(open_time), '%Y-%m-%dT%H:%MZ') AS first, strftime(max(open_time), '%Y-%m-%dT%H:%MZ') AS last ` +
        `FROM ohlcv GROUP BY timeframe ORDER BY ${TIMEFRAME_ORDER}`,
    );
    const markets = await lake.rows('SELECT count(*)::INTEGER AS n FROM markets');
    const objects = await store.list('exchange=');
    const ohlcvObjects = objects.filter((o) => o.key.includes('/dataset=ohlcv/'));
    const ohlcv = rows.map((r) => ({
      timeframe: String(r['timeframe']),
      symbols: Number(r['symbols']),
      candles: Number(r['candles']),
      firstOpenTime: r['first'] as string | null,
      lastOpenTime: r['last'] as string | null,
    }));
    const candles = ohlcv.reduce((sum, t) => sum + t.candles, 0);
    const ohlcvBytes = ohlcvObjects.reduce((sum, o) => sum + o.sizeBytes, 0);
    return {
      lake: store.url,
      ohlcv,
      objects: objects.length,
      bytes: objects.reduce((sum, o) => sum + o.sizeBytes, 0),
      bytesPerCandle: candles > 0 ? Math.round((ohlcvBytes / candles) * 100) / 100 : null,
      markets: Number(markets[0]?.['n'] ?? 0),
    };
  } finally {
    lake.close();
  }
}

/** The summary as a few aligned lines for a terminal. */
export function formatLakeSummary(summary: LakeSummary): string {
  const lines = [`lake ${summary.lake}: ${summary.objects} objects, ${(summary.bytes / 1e6).toFixed(2)} MB, ${summary.markets} markets`];
  if (summary.ohlcv.length === 0) lines.push('  no candles yet');
  for (const t of summary.ohlcv) {
    lines.push(
      `  ${t.timeframe.padEnd(4)} ${String(t.symbols).padStart(3)} symbols ${String(t.candles).padStart(10)} candles  ${t.firstOpenTime} → ${t.lastOpenTime}`,
    );
  }
  if (summary.bytesPerCandle !== null) lines.push(`  ${summary.bytesPerCandle} bytes per candle`);
  return lines.join('\n');
}
