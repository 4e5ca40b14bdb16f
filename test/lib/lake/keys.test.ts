import { describe, expect, it } from 'vitest';
import {
  fileStamp, latestRunKey, leaseKey, marketsKey, ohlcvPartKey, ohlcvSeriesPrefix, parseOhlcvPartKey,
  parseOhlcvSeriesKey, runRecordKey, symbolFromPathSegment, symbolPathSegment,
} from '../../../lib/lake/keys.ts';

const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;

describe('lake keys', () => {
  it('lays OHLCV parts out Hive-style by exchange, dataset, timeframe, symbol and year', () => {
    const key = ohlcvPartKey(series, Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31, 23));
    expect(key).toBe('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20241231T2300Z.parquet');
    expect(key.startsWith(ohlcvSeriesPrefix(series))).toBe(true);
  });

  it('reads a part range and its series back from the key', () => {
    const key = ohlcvPartKey(series, Date.UTC(2023, 5, 1, 4), Date.UTC(2023, 5, 2, 7));
    expect(parseOhlcvPartKey(key)).toEqual({
      key, year: 2023, firstOpenTimeMs: Date.UTC(2023, 5, 1, 4), lastOpenTimeMs: Date.UTC(2023, 5, 2, 7),
    });
    expect(parseOhlcvSeriesKey(key)).toEqual(series);
    expect(parseOhlcvPartKey('exchange=binance/dataset=ohlcv/whatever.json')).toBeUndefined();
  });

  it('maps symbols to path segments reversibly', () => {
    expect(symbolPathSegment('1000SATS/USDT')).toBe('1000SATS-USDT');
    expect(symbolFromPathSegment(symbolPathSegment('PEPE/USDT'))).toBe('PEPE/USDT');
  });

  it('names the other objects', () => {
    const at = Date.UTC(2024, 5, 1, 0, 30);
    expect(fileStamp(at)).toBe('20240601T0030Z');
    expect(marketsKey('binance', at)).toBe('exchange=binance/dataset=markets/date=2024-06-01/markets.parquet');
    expect(runRecordKey('update', at, 'update-x')).toBe('runs/job=update/date=2024-06-01/update-x.json');
    expect(latestRunKey('update')).toBe('runs/job=update/latest.json');
    expect(leaseKey('update')).toBe('leases/update.json');
  });
});
