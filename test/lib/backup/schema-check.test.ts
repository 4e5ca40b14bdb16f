import { describe, expect, it } from 'vitest';
import { schemaDifferences } from '../../../lib/backup/schema-check.ts';
import { lakeDatasetOf } from '../../../lib/backup/datasets.ts';
import { MARKETS_COLUMNS, OHLCV_COLUMNS } from '../../../lib/lake/schema.ts';

const OHLCV_OK = [
  { name: 'open_time', type: 'TIMESTAMP' },
  { name: 'open', type: 'DECIMAL(18,2)' },
  { name: 'high', type: 'DECIMAL(18,2)' },
  { name: 'low', type: 'DECIMAL(38,12)' },
  { name: 'close', type: 'DECIMAL(18,2)' },
  { name: 'volume', type: 'DECIMAL(18,5)' },
];

describe('schemaDifferences', () => {
  it.each([
    { name: 'any decimal width and scale', actual: OHLCV_OK, expected: [] },
    { name: 'a DOUBLE price', actual: OHLCV_OK.map((c) => (c.name === 'close' ? { ...c, type: 'DOUBLE' } : c)), expected: ['close is DOUBLE, expected DECIMAL(18|38,s)'] },
    { name: 'a missing column', actual: OHLCV_OK.filter((c) => c.name !== 'volume'), expected: ['volume is missing'] },
    { name: 'an extra column', actual: [...OHLCV_OK, { name: 'trades', type: 'BIGINT' }], expected: ['unexpected column trades BIGINT'] },
    { name: 'a string time', actual: OHLCV_OK.map((c) => (c.name === 'open_time' ? { ...c, type: 'VARCHAR' } : c)), expected: ['open_time is VARCHAR, expected TIMESTAMP'] },
  ])('ohlcv with $name', ({ actual, expected }) => {
    expect(schemaDifferences(OHLCV_COLUMNS, actual)).toEqual(expected);
  });

  it('markets types must match exactly', () => {
    const actual = MARKETS_COLUMNS.map((c) => ({ name: c.name, type: c.name === 'active' ? 'VARCHAR' : c.type }));
    expect(schemaDifferences(MARKETS_COLUMNS, actual)).toEqual(['active is VARCHAR, expected BOOLEAN']);
  });
});

describe('lakeDatasetOf', () => {
  it.each([
    ['exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-a-b.parquet', 'ohlcv'],
    ['exchange=binance/dataset=markets/date=2024-01-02/markets.parquet', 'markets'],
    ['dataset=backtest_equity/run_date=2024-01-02/x.parquet', 'backtest_equity'],
    ['runs/job=update/latest.json', 'runs'],
    ['alerts/open/a.json', 'alerts'],
    ['quality/reports/latest.json', 'quality'],
    ['README', 'other'],
  ])('%s is in %s', (key, dataset) => {
    expect(lakeDatasetOf(key)).toBe(dataset);
  });
});
