/**
 * The update job end to end: real ccxt against the Binance stand-in on loopback, the lake on a
 * local folder and on S3 in moto. First run, incremental run, rerun, backfill across pages,
 * market metadata and the run record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLatestRun } from '../../../lib/lake/run-records.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { SERIES_STATS, updateHarness } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2024, 5, 10, 0, 31); // the 00:30 schedule, a minute late
const FIRST_1H = Date.UTC(2024, 4, 31, 1); // alignUp(NOW - 10 days)
const LAST_1H = Date.UTC(2024, 5, 9, 23); // 00:00 on the 10th is still open at 00:31

let standIn: BinanceStandIn;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
});
afterAll(async () => {
  await standIn.close();
});

describe.each(lakeBackends)('update job on a $name', (backend) => {
  it('first run stores every closed candle once, matching what the exchange served', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, NOW);
    const record = await h.run();
    expect(record.outcome).toBe('succeeded');
    expect(record.details.failures).toEqual([]);

    const [btc1h] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc1h).toEqual({ n: (LAST_1H - FIRST_1H) / H + 1, distinct_n: (LAST_1H - FIRST_1H) / H + 1, first: FIRST_1H, last: LAST_1H });
    const [eth1d] = await h.rows(SERIES_STATS('ETH/USDT', '1d'));
    expect(eth1d).toEqual({ n: 9, distinct_n: 9, first: Date.UTC(2024, 5, 1), last: Date.UTC(2024, 5, 9) });

    // The stored values are the exchange's, digit for digit.
    const served = (await (await fetch(`${standIn.url}/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${FIRST_1H}&limit=3`)).json()) as string[][];
    const stored = await h.rows(`SELECT open, high, low, close, volume FROM ohlcv WHERE symbol = 'BTC/USDT' AND timeframe = '1h' ORDER BY open_time LIMIT 3`);
    expect(stored).toEqual(served.map((k) => ({ open: Number(k[1]), high: Number(k[2]), low: Number(k[3]), close: Number(k[4]), volume: Number(k[5]) })));

    const perSeries = Object.fromEntries(record.details.series.map((s) => [`${s.symbol} ${s.timeframe}`, s.written]));
    expect(perSeries).toEqual({ 'BTC/USDT 1d': 9, 'BTC/USDT 1h': 239, 'ETH/USDT 1d': 9, 'ETH/USDT 1h': 239 });
    expect(record.details.totals.candlesWritten).toBe(2 * (239 + 9));
    expect(record.details.weight.weightUsed).toBe(20 + 4 * 2); // exchangeInfo + one klines page per series
    expect(record.details.weight.peakIpWeight1m).toBeGreaterThanOrEqual(28);

    const latest = await readLatestRun(store, 'update');
    expect(latest).toMatchObject({ runId: record.runId, outcome: 'succeeded', trigger: 'test' });
  });

  it('an incremental run fetches only the new closed candles; a rerun of the same window adds nothing', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, NOW);
    await h.run();
    const objectsBefore = (await store.list('exchange=binance/dataset=ohlcv/')).length;

    h.clock.advance(3 * H); // 03:31: 00:00, 01:00, 02:00 have closed
    const second = await h.run();
    expect(second.outcome).toBe('succeeded');
    expect(second.details.series.find((s) => s.symbol === 'BTC/USDT' && s.timeframe === '1h')).toMatchObject({ written: 3, pages: 1 });
    expect(second.details.series.find((s) => s.symbol === 'BTC/USDT' && s.timeframe === '1d')).toMatchObject({ written: 0, pages: 0 });
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 242, distinct_n: 242, last: Date.UTC(2024, 5, 10, 2) });

    const third = await h.run();
    expect(third.details.totals.candlesWritten).toBe(0);
    expect(third.details.totals.objectsWritten).toBe(0);
    expect((await store.list('exchange=binance/dataset=ohlcv/')).length).toBe(objectsBefore + 2);
    const [again] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(again).toEqual(btc);
  });

  it('--since backfills before the stored history across several pages, without duplicates', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, NOW);
    await h.run({}, { universe: { symbols: ['BTC/USDT'], timeframes: ['1h'] } });
    const since = NOW - 100 * D;
    const record = await h.run({ sinceMs: since }, { universe: { symbols: ['BTC/USDT'], timeframes: ['1h'] } });
    const series = record.details.series[0]!;
    const headCandles = (FIRST_1H - Date.UTC(2024, 2, 2, 1)) / H; // alignUp(since) up to the stored first
    expect(series).toMatchObject({ ok: true, written: headCandles, alreadyStored: 0 });
    expect(series.pages).toBe(Math.ceil(headCandles / 1000));
    expect(series.pages).toBeGreaterThan(1);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    const total = (LAST_1H - Date.UTC(2024, 2, 2, 1)) / H + 1;
    expect(btc).toEqual({ n: total, distinct_n: total, first: Date.UTC(2024, 2, 2, 1), last: LAST_1H });
  });

  it('stores the market metadata the backtest takes lot steps from', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, NOW);
    const record = await h.run({}, { universe: { symbols: ['BTC/USDT'], timeframes: ['1d'] } });
    expect(record.details.markets?.key).toBe('exchange=binance/dataset=markets/date=2024-06-10/markets.parquet');
    const rows = await h.rows(`SELECT symbol, exchange_symbol, status, active, tick_size, lot_step, min_notional FROM markets WHERE symbol IN ('BTC/USDT', 'LUNA/USDT') ORDER BY symbol`);
    expect(rows).toEqual([
      { symbol: 'BTC/USDT', exchange_symbol: 'BTCUSDT', status: 'TRADING', active: true, tick_size: 0.01, lot_step: 0.00001, min_notional: 5 },
      { symbol: 'LUNA/USDT', exchange_symbol: 'LUNAUSDT', status: 'BREAK', active: false, tick_size: expect.any(Number), lot_step: expect.any(Number), min_notional: expect.any(Number) },
    ]);
  });
});
