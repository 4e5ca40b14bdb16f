/** The Binance USD-M derivatives client (real ccxt binanceusdm) against the Binance stand-in. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBinanceDerivativesSource,
  type BinanceDerivativesOptions,
} from '../../../../lib/sentiment/sources/binance-derivatives.ts';
import { MalformedResponseError, SourceRejectedError, SourceUnavailableError } from '../../../../lib/sentiment/sources/errors.ts';
import { defaultStandInMarkets, startBinanceStandIn, type BinanceStandIn } from '../../../stand-ins/binance/index.ts';
import { fundingRow, longShortRow, openInterestRow } from '../../../stand-ins/binance/derivatives-data.ts';
import { resolveMarkets } from '../../../stand-ins/binance/markets.ts';
import type { StandInMarket } from '../../../stand-ins/binance/types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NOW_MS = Date.UTC(2024, 5, 10, 12, 30);
const FUNDING_MS = 8 * HOUR_MS;

/** A trading spot pair without a perpetual, and a perpetual that is settling (delisted). */
const EXTRA_MARKETS: StandInMarket[] = [
  { symbol: 'SPOTONLYUSDT', base: 'SPOTONLY', quote: 'USDT', tickSize: '0.0001', stepSize: '0.1', minNotional: '5', basePrice: 1, perpetual: false },
  { symbol: 'GONEUSDT', base: 'GONE', quote: 'USDT', status: 'BREAK', tickSize: '0.0001', stepSize: '0.1', minNotional: '5', basePrice: 1 },
];
const markets = resolveMarkets([...defaultStandInMarkets(), ...EXTRA_MARKETS]);
const btc = markets.get('BTCUSDT')!;

let binance: BinanceStandIn;

beforeAll(async () => {
  binance = await startBinanceStandIn({ markets: [...defaultStandInMarkets(), ...EXTRA_MARKETS], now: () => NOW_MS });
});
afterEach(() => {
  binance.faults.clear();
  binance.requests.length = 0;
});
afterAll(async () => {
  await binance.close();
});

const source = (options: BinanceDerivativesOptions = {}) =>
  createBinanceDerivativesSource({
    baseUrl: binance.url, now: () => NOW_MS, enableRateLimit: false, maxTries: 3, retryBaseMs: 5, timeoutMs: 2_000, ...options,
  });

const requestsTo = (path: string) => binance.requests.filter((r) => r.path === path);

describe('perpetualFor', () => {
  it.each([
    ['BTC/USDT', 'BTC/USDT:USDT'],
    ['ETH/USDT', 'ETH/USDT:USDT'],
    ['LUNA/USDT', undefined], // delisted spot pair, never had a perpetual
    ['SPOTONLY/USDT', undefined], // trading spot pair without a perpetual
    ['GONE/USDT', undefined], // perpetual settling: inactive
    ['NOPE/USDT', undefined],
    ['BTC/USDT:USDT', undefined],
  ])('%s → %s', async (symbol, perpetual) => {
    await expect(source().perpetualFor(symbol)).resolves.toBe(perpetual);
  });

  it('loads the markets once', async () => {
    const derivatives = source();
    await Promise.all(['BTC/USDT', 'ETH/USDT', 'LUNA/USDT'].map((s) => derivatives.perpetualFor(s)));
    await derivatives.perpetualFor('SOL/USDT');
    expect(requestsTo('/fapi/v1/exchangeInfo')).toHaveLength(1);
  });
});

describe('fundingHistory', () => {
  it('pages 1000 at a time from since to now, oldest first, mark price null on old entries', async () => {
    const sinceMs = Date.UTC(2023, 0, 1);
    const points = await source().fundingHistory('BTC/USDT:USDT', sinceMs);
    const count = Math.floor((NOW_MS - sinceMs) / FUNDING_MS) + 1;
    expect(points).toHaveLength(count);
    expect(points.map((p) => p.timeMs)).toEqual(Array.from({ length: count }, (_, i) => sinceMs + i * FUNDING_MS));
    const pages = requestsTo('/fapi/v1/fundingRate');
    expect(pages).toHaveLength(Math.ceil(count / 1000));
    expect(pages.map((r) => r.query['limit'])).toEqual(pages.map(() => '1000'));
    const sample = points[1234]!;
    const raw = fundingRow(btc, sample.timeMs);
    expect(sample).toEqual({ timeMs: raw.fundingTime, rate: Number(raw.fundingRate), markPrice: Number(raw.markPrice) });
    expect(points[0]?.markPrice).toBeNull();
    expect(points.at(-1)?.markPrice).toBeGreaterThan(0);
  });

  it('reads incrementally: since inside the history gives only what is newer', async () => {
    const last = Math.floor(NOW_MS / FUNDING_MS) * FUNDING_MS;
    const points = await source().fundingHistory('BTC/USDT:USDT', last - 2 * FUNDING_MS + 1);
    expect(points.map((p) => p.timeMs)).toEqual([last - FUNDING_MS, last]);
  });

  it('rejects a perpetual the exchange does not list, without retrying', async () => {
    const error = await source().fundingHistory('NOPE/USDT:USDT', NOW_MS - DAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRejectedError);
    expect(error).toMatchObject({ source: 'binance-usdm', status: 400 });
    expect(requestsTo('/fapi/v1/fundingRate')).toHaveLength(0);
  });

  it('answers an empty page with no points', async () => {
    binance.faults.add({ when: { path: '/fapi/v1/fundingRate' }, times: 1, action: { type: 'empty-page' } });
    await expect(source().fundingHistory('BTC/USDT:USDT', NOW_MS - 3 * DAY_MS)).resolves.toEqual([]);
  });

  it("waits out a 429's Retry-After", async () => {
    const derivatives = source();
    await derivatives.perpetualFor('BTC/USDT');
    binance.faults.add({ when: { path: '/fapi/v1/fundingRate' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
    const started = Date.now();
    const points = await derivatives.fundingHistory('BTC/USDT:USDT', NOW_MS - DAY_MS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(points).toHaveLength(3);
    expect(requestsTo('/fapi/v1/fundingRate').map((r) => r.status)).toEqual([429, 200]);
  });

  it('tries again after a 5xx', async () => {
    binance.faults.add({ when: { path: '/fapi/v1/fundingRate' }, times: 2, action: { type: 'status', status: 503 } });
    await expect(source().fundingHistory('BTC/USDT:USDT', NOW_MS - DAY_MS)).resolves.toHaveLength(3);
    expect(requestsTo('/fapi/v1/fundingRate').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('reports a persistent outage as SourceUnavailableError', async () => {
    binance.faults.add({ action: { type: 'status', status: 502 } });
    const error = await source().fundingHistory('BTC/USDT:USDT', NOW_MS - DAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error).toMatchObject({ source: 'binance-usdm' });
  });

  it('reports a truncated body as MalformedResponseError', async () => {
    const derivatives = source();
    await derivatives.perpetualFor('BTC/USDT');
    binance.faults.add({ when: { path: '/fapi/v1/fundingRate' }, times: 1, action: { type: 'malformed-body' } });
    await expect(derivatives.fundingHistory('BTC/USDT:USDT', NOW_MS - DAY_MS)).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('times out a stalled answer and tries again', async () => {
    const derivatives = source({ timeoutMs: 200 });
    await derivatives.perpetualFor('BTC/USDT');
    binance.faults.add({ when: { path: '/fapi/v1/fundingRate' }, times: 1, action: { type: 'stall', ms: 1_000 } });
    await expect(derivatives.fundingHistory('BTC/USDT:USDT', NOW_MS - DAY_MS)).resolves.toHaveLength(3);
  });
});

describe('openInterestHistory', () => {
  it('clamps since to the last 30 days and pages 500 periods at a time', async () => {
    const points = await source().openInterestHistory('BTC/USDT:USDT', '1h', NOW_MS - 45 * DAY_MS);
    const first = Math.ceil((NOW_MS - 30 * DAY_MS + 10 * 60_000) / HOUR_MS) * HOUR_MS;
    const last = Math.floor(NOW_MS / HOUR_MS) * HOUR_MS;
    expect(points.map((p) => p.timeMs)).toEqual(Array.from({ length: (last - first) / HOUR_MS + 1 }, (_, i) => first + i * HOUR_MS));
    const pages = requestsTo('/futures/data/openInterestHist');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.every((r) => r.status === 200 && r.query['limit'] === '500' && r.query['period'] === '1h')).toBe(true);
    const raw = openInterestRow(btc, points[100]!.timeMs, HOUR_MS);
    expect(points[100]).toEqual({ timeMs: raw.timestamp, openInterest: Number(raw.sumOpenInterest), openInterestValue: Number(raw.sumOpenInterestValue) });
  });

  it('reads incrementally', async () => {
    const last = Math.floor(NOW_MS / (15 * 60_000)) * 15 * 60_000;
    const points = await source().openInterestHistory('ETH/USDT:USDT', '15m', last - 45 * 60_000);
    expect(points.map((p) => p.timeMs)).toEqual([3, 2, 1, 0].map((k) => last - k * 15 * 60_000));
  });

  it('answers an empty page with no points', async () => {
    binance.faults.add({ when: { path: '/futures/data/openInterestHist' }, action: { type: 'empty-page' } });
    await expect(source().openInterestHistory('BTC/USDT:USDT', '1d', NOW_MS - 10 * DAY_MS)).resolves.toEqual([]);
  });
});

describe('longShortRatioHistory', () => {
  it('reads the account ratio per period with both shares', async () => {
    const sinceMs = NOW_MS - 2 * DAY_MS;
    const points = await source().longShortRatioHistory('BTC/USDT:USDT', '4h', sinceMs);
    const first = Math.ceil(sinceMs / (4 * HOUR_MS)) * 4 * HOUR_MS;
    expect(points.map((p) => p.timeMs)).toEqual(Array.from({ length: 12 }, (_, i) => first + i * 4 * HOUR_MS));
    const raw = longShortRow(btc, points[5]!.timeMs, 4 * HOUR_MS);
    expect(points[5]).toEqual({
      timeMs: raw.timestamp, ratio: Number(raw.longShortRatio), longAccount: Number(raw.longAccount), shortAccount: Number(raw.shortAccount),
    });
    for (const p of points) expect(p.longAccount + p.shortAccount).toBeCloseTo(1, 4);
    expect(requestsTo('/futures/data/globalLongShortAccountRatio')[0]?.query).toMatchObject({ symbol: 'BTCUSDT', period: '4h', limit: '500' });
  });

  it('reports a persistent outage as SourceUnavailableError', async () => {
    const derivatives = source();
    await derivatives.perpetualFor('BTC/USDT');
    binance.faults.add({ when: { path: '/futures/data/globalLongShortAccountRatio' }, action: { type: 'status', status: 500 } });
    await expect(derivatives.longShortRatioHistory('BTC/USDT:USDT', '1h', NOW_MS - DAY_MS)).rejects.toBeInstanceOf(SourceUnavailableError);
    expect(requestsTo('/futures/data/globalLongShortAccountRatio')).toHaveLength(3);
  });
});
