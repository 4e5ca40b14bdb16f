/**
 * Every fault the Binance stand-in can inject, through the real ccxt client and the real update
 * job: what is retried, what fails one series only, what fails the run, and what the run
 * record says. Lake: a local folder (the S3 path is covered in run-update.standin.test.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { SERIES_STATS, updateHarness } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const NOW = Date.UTC(2024, 5, 10, 0, 31);
const KLINES = '/api/v3/klines';

let standIn: BinanceStandIn;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
});
afterEach(() => {
  standIn.faults.clear();
  standIn.gaps.clear();
});
afterAll(async () => {
  await standIn.close();
});

async function freshLake() {
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-faults-'));
  return { store: new FileObjectStore(dir), url: `file://${dir}` };
}

/** Requests the stand-in saw for one symbol's klines since `fromIndex`. */
function klinesFor(symbol: string, fromIndex: number) {
  return standIn.requests.slice(fromIndex).filter((r) => r.path === KLINES && r.query['symbol'] === symbol);
}

const oneSeries = { universe: { symbols: ['BTC/USDT'], timeframes: ['1h' as const] } };
const twoSymbols = { universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h' as const] } };

describe('transient faults are retried and the run succeeds', () => {
  it.each([
    ['429 with Retry-After', { type: 'status', status: 429, retryAfterSec: 1 }, 1_000],
    ['418 with Retry-After', { type: 'status', status: 418, retryAfterSec: 1 }, 1_000],
    ['502 from a load balancer', { type: 'status', status: 502 }, 0],
    ['503', { type: 'status', status: 503 }, 0],
    ['a malformed body', { type: 'malformed-body' }, 0],
    ['a stall past the client timeout', { type: 'stall', ms: 2_500 }, 1_500],
  ] as const)('%s', async (_name, action, minGapMs) => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    const start = standIn.requests.length;
    standIn.faults.add({ when: { path: KLINES, symbol: 'BTCUSDT' }, times: 1, action });
    const record = await h.run({}, oneSeries);
    expect(record.outcome).toBe('succeeded');
    expect(record.details.weight.retries).toBe(1);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 239, distinct_n: 239 });
    const seen = klinesFor('BTCUSDT', start);
    expect(seen).toHaveLength(2);
    // Retry-After (and the timeout) is honoured before the second try.
    expect(seen[1]!.atMs - seen[0]!.atMs).toBeGreaterThanOrEqual(minGapMs);
    expect(h.logger.lines.some((l) => l.level === 'warn' && /retried|failed/.test(l.message))).toBe(false);
  });

  it('five tries, then that series fails and the others carry on (partial)', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    const start = standIn.requests.length;
    standIn.faults.add({ when: { path: KLINES, symbol: 'BTCUSDT' }, action: { type: 'status', status: 500 } });
    const record = await h.run({}, twoSymbols);
    expect(record.outcome).toBe('partial');
    expect(klinesFor('BTCUSDT', start)).toHaveLength(5);
    expect(record.details.failures).toEqual([{ symbol: 'BTC/USDT', timeframe: '1h', reason: expect.stringMatching(/500/) }]);
    expect(record.details.series.find((s) => s.symbol === 'ETH/USDT')).toMatchObject({ ok: true, written: 239 });
    const [eth] = await h.rows(SERIES_STATS('ETH/USDT', '1h'));
    expect(eth).toMatchObject({ n: 239 });
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 0 });
  });

  it('a ban longer than maxRetryAfterMs fails the series at once instead of waiting', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    const start = standIn.requests.length;
    standIn.faults.add({ when: { path: KLINES, symbol: 'BTCUSDT' }, action: { type: 'status', status: 418, retryAfterSec: 3_600 } });
    const record = await h.run({}, twoSymbols);
    expect(record.outcome).toBe('partial');
    expect(klinesFor('BTCUSDT', start)).toHaveLength(1);
    expect(record.details.failures[0]?.reason).toMatch(/banned this IP for 3600 s \(HTTP 418\)/);
  });
});

describe('bad data never reaches the lake', () => {
  it('rejects malformed rows with a counted reason and a warning finding', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    standIn.faults.add({
      when: { path: KLINES, symbol: 'BTCUSDT' }, times: 1,
      action: { type: 'malformed-rows', rows: ['non-numeric', 'high-below-low', 'negative-volume', 'misaligned-time'] },
    });
    const record = await h.run({}, oneSeries);
    expect(record.outcome).toBe('succeeded');
    expect(record.details.totals.rejected).toEqual({ 'non-numeric': 1, 'high-below-low': 1, 'negative-volume': 1, 'misaligned-time': 1 });
    expect(record.details.findings).toEqual([expect.objectContaining({ severity: 'WARNING', key: 'update:rejected-rows' })]);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    // The four corrupted rows are the first four candles; a misaligned row still counts as the slot it broke.
    expect(btc).toMatchObject({ n: 235, distinct_n: 235, first: Date.UTC(2024, 4, 31, 5), last: Date.UTC(2024, 5, 9, 23) });
    const [bad] = await h.rows(`SELECT count(*)::INTEGER AS n FROM ohlcv WHERE high < low OR volume < 0 OR epoch_ms(open_time) % ${H} <> 0`);
    expect(bad).toEqual({ n: 0 });
  });

  it('overlapping pages leave no duplicate candle', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    standIn.faults.add({ when: { path: KLINES }, action: { type: 'overlap', candles: 50 } });
    const record = await h.run({ sinceMs: NOW - 120 * 24 * H }, oneSeries);
    expect(record.outcome).toBe('succeeded');
    const series = record.details.series[0]!;
    expect(series.pages).toBeGreaterThan(2);
    // ccxt already drops rows before `since`; whatever slips through is counted, never stored twice.
    expect(series.written).toBe((Date.UTC(2024, 5, 9, 23) - Date.UTC(2024, 1, 11, 1)) / H + 1);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc!['n']).toBe(btc!['distinct_n']);
    expect(btc).toMatchObject({ n: series.written, last: Date.UTC(2024, 5, 9, 23) });
  });

  it('candles missing on the exchange side are simply absent: no failure, no filler', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    standIn.gaps.add({ symbol: 'BTCUSDT', fromMs: Date.UTC(2024, 5, 5, 10), toMs: Date.UTC(2024, 5, 5, 14) });
    const record = await h.run({}, oneSeries);
    expect(record.outcome).toBe('succeeded');
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 235, distinct_n: 235 });
    const [inGap] = await h.rows(`SELECT count(*)::INTEGER AS n FROM ohlcv WHERE open_time >= '2024-06-05 10:00' AND open_time < '2024-06-05 14:00'`);
    expect(inGap).toEqual({ n: 0 });
  });
});

describe('faults that stop the run', () => {
  it('HTTP 451 is one CRITICAL finding naming the cause, never retried', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    const start = standIn.requests.length;
    standIn.faults.add({ when: { path: KLINES }, action: { type: 'status', status: 451 } });
    const record = await h.run({}, twoSymbols);
    expect(record.outcome).toBe('failed');
    // Not retried: at most the requests already in flight (concurrency 2), one per series.
    const klines = standIn.requests.slice(start).filter((r) => r.path === KLINES);
    expect(klines.length).toBeLessThanOrEqual(2);
    expect(new Set(klines.map((r) => r.query['symbol'])).size).toBe(klines.length);
    expect(record.details.weight.retries).toBe(0);
    const critical = record.details.findings.filter((f) => f.severity === 'CRITICAL');
    expect(critical).toEqual([{ severity: 'CRITICAL', key: 'update:region-blocked', text: expect.stringMatching(/HTTP 451.*CANDLELAKE_BINANCE_URL/) }]);
    expect(h.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(record.details.failures).toHaveLength(2);
  });

  it('HTTP 451 on exchangeInfo fails before anything is written', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    standIn.faults.add({ when: { path: '/api/v3/exchangeInfo' }, action: { type: 'status', status: 451 } });
    const record = await h.run({}, oneSeries);
    expect(record.outcome).toBe('failed');
    expect(record.details.findings.map((f) => f.key)).toEqual(['update:region-blocked']);
    expect((await store.list('exchange=')).length).toBe(0);
  });

  it('a symbol the exchange never listed is a configuration error and nothing is touched', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    await expect(h.run({}, { universe: { symbols: ['BTC/USDT', 'NOPE/USDT'], timeframes: ['1h'] } })).rejects.toThrow(ConfigError);
    await expect(h.run({}, { universe: { symbols: ['BTC/USDT', 'NOPE/USDT'], timeframes: ['1h'] } })).rejects.toThrow(
      /universe\.symbols: NOPE\/USDT is not listed on binance/,
    );
    expect(await store.list('')).toEqual([]);
  });

  it('a delisted symbol is a reported per-symbol failure; the rest is updated', async () => {
    const { store, url } = await freshLake();
    const h = updateHarness(store, url, standIn, NOW);
    const record = await h.run({}, { universe: { symbols: ['BTC/USDT', 'LUNA/USDT'], timeframes: ['1h'] } });
    expect(record.outcome).toBe('partial');
    expect(record.details.failures).toEqual([{ symbol: 'LUNA/USDT', reason: 'delisted: binance status BREAK for LUNA/USDT' }]);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 239 });
  });
});
