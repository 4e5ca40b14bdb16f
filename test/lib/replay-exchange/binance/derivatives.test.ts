/** The Binance stand-in's USD-M statistics routes over plain fetch: wire format, paging rules, the 30-day window. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceStandIn, type BinanceStandIn } from '../../../../lib/replay-exchange/binance/index.ts';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.UTC(2024, 5, 10, 12, 30);

let binance: BinanceStandIn;

beforeAll(async () => {
  binance = await startBinanceStandIn({ now: () => NOW_MS });
});
afterEach(() => {
  binance.faults.clear();
});
afterAll(async () => {
  await binance.close();
});

async function get(path: string, query: Record<string, string | number>) {
  const res = await fetch(`${binance.url}${path}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('/fapi/v1/fundingRate', () => {
  it('serves 8-hourly events from startTime with string rates and mark prices', async () => {
    const startTime = Date.UTC(2024, 5, 1);
    const { status, body } = await get('/fapi/v1/fundingRate', { symbol: 'BTCUSDT', startTime, limit: 3 });
    expect(status).toBe(200);
    expect(body).toEqual([0, 1, 2].map((i) => ({
      symbol: 'BTCUSDT', fundingTime: startTime + i * 8 * HOUR_MS, fundingRate: expect.stringMatching(/^-?\d\.\d{8}$/), markPrice: expect.stringMatching(/^\d+\.\d{8}$/),
    })));
  });

  it('returns the last `limit` events without startTime, and nothing after now', async () => {
    const { body } = await get('/fapi/v1/fundingRate', { symbol: 'ETHUSDT', limit: 2 });
    expect((body as Array<{ fundingTime: number }>).map((r) => r.fundingTime)).toEqual([Date.UTC(2024, 5, 10, 0), Date.UTC(2024, 5, 10, 8)]);
  });

  it('writes an empty markPrice on old entries', async () => {
    const { body } = await get('/fapi/v1/fundingRate', { symbol: 'BTCUSDT', startTime: Date.UTC(2022, 0, 1), limit: 1 });
    expect(body).toEqual([expect.objectContaining({ markPrice: '' })]);
  });

  it.each([
    [{ symbol: 'LUNAUSDT' }, -1121],
    [{ symbol: 'BTCUSDT', limit: 1001 }, -1130],
    [{ symbol: 'BTCUSDT', startTime: 2, endTime: 1 }, -1023],
    [{}, -1102],
  ])('rejects %j with %i', async (query, code) => {
    const { status, body } = await get('/fapi/v1/fundingRate', query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code });
  });
});

describe('/futures/data statistics', () => {
  it('serves open interest per period with Binance\'s fields', async () => {
    const { body } = await get('/futures/data/openInterestHist', { symbol: 'BTCUSDT', period: '1h', limit: 2 });
    expect(body).toEqual([11, 12].map((h) => ({
      symbol: 'BTCUSDT', sumOpenInterest: expect.stringMatching(/^\d+\.\d{8}$/), sumOpenInterestValue: expect.stringMatching(/^\d+\.\d{8}$/),
      timestamp: Date.UTC(2024, 5, 10, h),
    })));
  });

  it('serves the long/short account ratio with shares summing to 1', async () => {
    const { body } = await get('/futures/data/globalLongShortAccountRatio', { symbol: 'SOLUSDT', period: '1d', limit: 3 });
    const rows = body as Array<{ longAccount: string; shortAccount: string; longShortRatio: string; timestamp: number }>;
    expect(rows.map((r) => r.timestamp)).toEqual([8, 9, 10].map((d) => Date.UTC(2024, 5, d)));
    for (const row of rows) {
      expect(Number(row.longAccount) + Number(row.shortAccount)).toBeCloseTo(1, 6);
      expect(Number(row.longShortRatio)).toBeCloseTo(Number(row.longAccount) / Number(row.shortAccount), 3);
    }
  });

  it('refuses a startTime older than 30 days, and caps limit at 500', async () => {
    const old = await get('/futures/data/openInterestHist', { symbol: 'BTCUSDT', period: '1h', startTime: NOW_MS - 31 * 24 * HOUR_MS });
    expect(old).toEqual({ status: 400, body: { code: -1130, msg: "parameter 'startTime' is invalid." } });
    const big = await get('/futures/data/globalLongShortAccountRatio', { symbol: 'BTCUSDT', period: '1h', limit: 501 });
    expect(big.status).toBe(400);
    const period = await get('/futures/data/openInterestHist', { symbol: 'BTCUSDT', period: '3m' });
    expect(period.body).toMatchObject({ code: -1130 });
  });

  it('answers an empty-page fault with [] and leaves klines alone', async () => {
    binance.faults.add({ times: 2, action: { type: 'empty-page' } });
    expect((await get('/futures/data/openInterestHist', { symbol: 'BTCUSDT', period: '1h' })).body).toEqual([]);
    expect((await get('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', limit: 2 })).body).toHaveLength(2);
  });
});
