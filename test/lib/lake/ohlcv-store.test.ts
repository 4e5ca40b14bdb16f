import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../lib/candles/types.ts';
import { ohlcvListParts, ohlcvStoredRange, ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';

const H = 3_600_000;
const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;

function candles(fromMs: number, count: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = 40_000 + i * 1.25;
    return { openTimeMs: fromMs + i * H, open, high: open + 10.5, low: open - 3.01, close: open + 1.25, volume: 12.34567 + i };
  });
}

describe.each(lakeBackends)('OHLCV store on a $name', (backend) => {
  it('writes a part per year, exactly, and reads the same candles back through the ohlcv view', async () => {
    const { store } = await backend.open();
    const start = Date.UTC(2023, 11, 31, 20);
    const batch = candles(start, 10); // 4 in 2023, 6 in 2024
    const result = await ohlcvWrite(store, series, batch);
    expect(result).toMatchObject({ written: 10, alreadyStored: 0, objectsWritten: 2 });
    const parts = await ohlcvListParts(store, series);
    expect(parts.map((p) => p.year)).toEqual([2023, 2024]);
    expect(ohlcvStoredRange(parts)).toEqual({ firstMs: start, lastMs: start + 9 * H });

    const lake = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'cache-')));
    try {
      const rows = await lake.rows(
        "SELECT symbol, timeframe, epoch_ms(open_time)::DOUBLE AS t, open, high, low, close, volume FROM ohlcv ORDER BY open_time",
      );
      expect(rows).toHaveLength(10);
      expect(rows[0]).toEqual({ symbol: 'BTC/USDT', timeframe: '1h', t: start, open: 40_000, high: 40_010.5, low: 39_996.99, close: 40_001.25, volume: 12.34567 });
      expect(rows.map((r) => r['close'])).toEqual(batch.map((c) => c.close));
      expect(rows.map((r) => r['volume'])).toEqual(batch.map((c) => c.volume));
    } finally {
      lake.close();
    }
  });

  it('is idempotent: rewriting a window adds nothing, an overlapping one adds only the new candles', async () => {
    const { store } = await backend.open();
    const start = Date.UTC(2024, 2, 1);
    await ohlcvWrite(store, series, candles(start, 24));
    const again = await ohlcvWrite(store, series, candles(start, 24));
    expect(again).toMatchObject({ written: 0, alreadyStored: 24, objectsWritten: 0 });
    const overlap = await ohlcvWrite(store, series, candles(start + 20 * H, 10));
    expect(overlap).toMatchObject({ written: 6, alreadyStored: 4, objectsWritten: 1 });

    const lake = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'cache-')));
    try {
      const [row] = await lake.rows('SELECT count(*)::INTEGER AS n, count(DISTINCT open_time)::INTEGER AS d FROM ohlcv');
      expect(row).toEqual({ n: 30, d: 30 });
    } finally {
      lake.close();
    }
  });

  it('keeps each part at its own exact decimal scale and the view reads them together', async () => {
    const { store } = await backend.open();
    const pepe = { ...series, symbol: 'PEPE/USDT' };
    await ohlcvWrite(store, pepe, [{ openTimeMs: Date.UTC(2024, 0, 1), open: 0.00001234, high: 0.00001299, low: 0.0000121, close: 0.00001277, volume: 123456789 }]);
    await ohlcvWrite(store, series, candles(Date.UTC(2024, 0, 1), 1));
    const lake = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'cache-')));
    try {
      const rows = await lake.rows('SELECT symbol, open, volume FROM ohlcv ORDER BY symbol');
      expect(rows).toEqual([
        { symbol: 'BTC/USDT', open: 40_000, volume: 12.34567 },
        { symbol: 'PEPE/USDT', open: 0.00001234, volume: 123456789 },
      ]);
    } finally {
      lake.close();
    }
  });
});
