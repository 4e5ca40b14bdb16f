import { describe, expect, it } from 'vitest';
import { BackupUsageError } from '../../../lib/backup/index.ts';
import { scopeMatcher } from '../../../lib/backup/scope.ts';

const BTC_1H = 'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240101T2300Z.parquet';
const ETH_4H_FEATURES = 'exchange=binance/dataset=features/timeframe=4h/symbol=ETH-USDT/year=2024/part-20240101T0000Z-20240101T2000Z.parquet';
const MARKETS = 'exchange=binance/dataset=markets/date=2024-01-02/markets.parquet';
const RUN = 'runs/job=update/latest.json';
const LEASE = 'leases/update.json';
const BACKTEST = 'dataset=backtest_runs/run_date=2024-01-02/backtest-x.parquet';
const ALL = [BTC_1H, ETH_4H_FEATURES, MARKETS, RUN, LEASE, BACKTEST];

describe('scopeMatcher', () => {
  it.each([
    { scope: {}, inside: [BTC_1H, ETH_4H_FEATURES, MARKETS, RUN, BACKTEST] },
    { scope: { symbol: 'BTC/USDT' }, inside: [BTC_1H] },
    { scope: { symbol: 'ETH-USDT' }, inside: [ETH_4H_FEATURES] },
    { scope: { timeframe: '4h' }, inside: [ETH_4H_FEATURES] },
    { scope: { dataset: 'markets' }, inside: [MARKETS] },
    { scope: { dataset: 'backtest_runs' }, inside: [BACKTEST] },
    { scope: { dataset: 'ohlcv', timeframe: '4h' }, inside: [] },
    { scope: { symbol: 'BTC/USD' }, inside: [] }, // a segment match, not a prefix match
  ])('$scope covers exactly its keys', ({ scope, inside }) => {
    const matches = scopeMatcher(scope);
    expect(ALL.filter(matches)).toEqual(inside);
  });

  it.each([{ symbol: 'BTC/USDT/X' }, { timeframe: '1h/../x' }, { dataset: '' }])('rejects %o', (scope) => {
    expect(() => scopeMatcher(scope)).toThrow(BackupUsageError);
  });
});
