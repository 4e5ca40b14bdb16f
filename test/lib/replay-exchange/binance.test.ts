/**
 * The Binance stand-in, exercised first over plain fetch (paging, data, weights, faults) and
 * then through the real ccxt client, which is what the rest of the suite relies on.
 */
import ccxt from 'ccxt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultStandInMarkets, startBinanceStandIn, type BinanceStandIn } from '../../../lib/replay-exchange/binance/index.ts';

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const INTERVAL_MS: Record<string, number> = {
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': HOUR_MS,
  '2h': 2 * HOUR_MS,
  '4h': 4 * HOUR_MS,
  '1d': 24 * HOUR_MS,
};
/** Market time of the shared stand-in: mid-candle on every interval. */
const NOW_MS = Date.UTC(2024, 5, 10, 12, 37, 21, 500);
const START_MS = Date.UTC(2024, 2, 1);

let binance: BinanceStandIn;

beforeAll(async () => {
  binance = await startBinanceStandIn({ now: () => NOW_MS });
});
afterEach(() => {
  binance.faults.clear();
  binance.gaps.clear();
});
afterAll(async () => {
  await binance.close();
});

async function get(base: string, path: string, params: Record<string, string | number> = {}, init?: RequestInit) {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]));
  return fetch(`${base}${path}?${query}`, init);
}

async function klines(params: Record<string, string | number>): Promise<Row[]> {
  const response = await get(binance.url, '/api/v3/klines', params);
  expect(response.status).toBe(200);
  return (await response.json()) as Row[];
}

async function errorOf(response: Response): Promise<{ status: number; code: number; msg: string }> {
  const body = (await response.json()) as { code: number; msg: string };
  return { status: response.status, ...body };
}

/** Exact sum of decimal strings that share a number of decimals. */
function sumDecimals(values: string[]): bigint {
  return values.reduce((sum, value) => sum + BigInt(value.replace('.', '')), 0n);
}

/** Weight counters reset on the wall-clock minute; keep weight tests away from the edge. */
async function awayFromMinuteEdge(): Promise<void> {
  const intoMinuteMs = Date.now() % MINUTE_MS;
  if (intoMinuteMs > MINUTE_MS - 3000) await new Promise((resolve) => setTimeout(resolve, MINUTE_MS - intoMinuteMs + 50));
}

describe('klines paging', () => {
  it('returns `limit` candles from startTime, ascending and interval-spaced', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS, limit: 5 });
    expect(rows.map((row) => row[0])).toEqual([0, 1, 2, 3, 4].map((k) => START_MS + k * HOUR_MS));
    expect(rows.map((row) => row[6])).toEqual([1, 2, 3, 4, 5].map((k) => START_MS + k * HOUR_MS - 1));
  });

  it('starts at the first open time at or after an unaligned startTime', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS + 1, limit: 2 });
    expect(rows[0]?.[0]).toBe(START_MS + HOUR_MS);
  });

  it('stops at endTime when both bounds are given', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS, endTime: START_MS + 3 * HOUR_MS, limit: 100 });
    expect(rows.map((row) => row[0])).toEqual([0, 1, 2, 3].map((k) => START_MS + k * HOUR_MS));
  });

  it('returns the last `limit` candles up to endTime when only endTime is given', async () => {
    const endTime = Date.UTC(2024, 5, 5, 10, 30);
    const rows = await klines({ symbol: 'BTCUSDT', interval: '1h', endTime, limit: 3 });
    expect(rows.map((row) => row[0])).toEqual([8, 9, 10].map((h) => Date.UTC(2024, 5, 5, h)));
  });

  it('defaults to 500 candles and accepts 1000', async () => {
    expect(await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START_MS })).toHaveLength(500);
    expect(await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START_MS, limit: 1000 })).toHaveLength(1000);
  });

  it('rejects a limit above 1000 with -1130', async () => {
    const response = await get(binance.url, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '15m', limit: 1001 });
    expect(await errorOf(response)).toEqual({ status: 400, code: -1130, msg: 'Invalid data sent for a parameter.' });
  });

  it('pages back to back without gaps or duplicates', async () => {
    const first = await klines({ symbol: 'ETHUSDT', interval: '15m', startTime: START_MS, limit: 1000 });
    const second = await klines({ symbol: 'ETHUSDT', interval: '15m', startTime: (first.at(-1)?.[0] ?? 0) + 1, limit: 1000 });
    const times = [...first, ...second].map((row) => row[0]);
    expect(times).toEqual(times.map((_, k) => START_MS + k * INTERVAL_MS['15m']!));
  });

  it('ends with the current, unfinished candle and nothing after it', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '15m' });
    const last = rows.at(-1)!;
    expect(rows).toHaveLength(500);
    expect(last[0]).toBe(Date.UTC(2024, 5, 10, 12, 30));
    expect(last[6]).toBeGreaterThan(NOW_MS);
    expect(await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: NOW_MS + 1 })).toEqual([]);
    const hourly = await klines({ symbol: 'BTCUSDT', interval: '1h', limit: 1 });
    expect(hourly[0]?.[0]).toBe(Date.UTC(2024, 5, 10, 12));
    expect(hourly[0]?.[4]).toBe(last[4]);
  });

  it('follows setNow: the current candle moves with the market clock', async () => {
    binance.setNow(() => NOW_MS + 2 * HOUR_MS);
    try {
      const [row] = await klines({ symbol: 'BTCUSDT', interval: '1h', limit: 1 });
      expect(row?.[0]).toBe(Date.UTC(2024, 5, 10, 14));
    } finally {
      binance.setNow(() => NOW_MS);
    }
  });

  it('has no candles before the listing', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '1d', startTime: 0, limit: 2 });
    expect(rows[0]?.[0]).toBe(Date.UTC(2019, 0, 1));
  });
});

describe('candle data', () => {
  it.each(Object.entries(INTERVAL_MS))('aligns %s open times to the interval in UTC', async (interval, intervalMs) => {
    const rows = await klines({ symbol: 'SOLUSDT', interval, endTime: NOW_MS, limit: 50 });
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row[0] % intervalMs).toBe(0);
      expect(row[6]).toBe(row[0] + intervalMs - 1);
    }
  });

  it.each(['30m', '1h', '2h', '4h', '1d'])('builds each %s candle from the 15m candles it covers', async (interval) => {
    const ratio = INTERVAL_MS[interval]! / INTERVAL_MS['15m']!;
    const count = Math.floor(960 / ratio);
    const big = await klines({ symbol: 'BTCUSDT', interval, startTime: START_MS, limit: count });
    const small = await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START_MS, limit: count * ratio });
    big.forEach((candle, k) => {
      const parts = small.slice(k * ratio, (k + 1) * ratio);
      expect(parts[0]?.[0]).toBe(candle[0]);
      expect(candle[1]).toBe(parts[0]?.[1]);
      expect(candle[4]).toBe(parts.at(-1)?.[4]);
      expect(Number(candle[2])).toBe(Math.max(...parts.map((p) => Number(p[2]))));
      expect(Number(candle[3])).toBe(Math.min(...parts.map((p) => Number(p[3]))));
      expect(BigInt(candle[5].replace('.', ''))).toBe(sumDecimals(parts.map((p) => p[5])));
      expect(candle[8]).toBe(parts.reduce((sum, p) => sum + p[8], 0));
    });
  });

  it('chains candles (open equals the previous close) with sane bodies, wicks and moves', async () => {
    const rows = await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START_MS, limit: 1000 });
    const moves: number[] = [];
    rows.forEach((row, k) => {
      const [open, high, low, close, volume] = row.slice(1, 6).map(Number) as [number, number, number, number, number];
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(volume).toBeGreaterThan(0);
      expect(row[8]).toBeGreaterThan(0);
      expect(Number(row[7]) / volume / close).toBeCloseTo(1, 6);
      // Prices are multiples of the 0.01 tick, written with Binance's 8 decimals.
      expect(row[1]).toMatch(/^\d+\.\d{2}000000$/);
      if (k > 0) expect(row[1]).toBe(rows[k - 1]?.[4]);
      moves.push(Math.abs(close / open - 1));
    });
    moves.sort((a, b) => a - b);
    const median = moves[Math.floor(moves.length / 2)]!;
    expect(median).toBeGreaterThan(0.0005);
    expect(median).toBeLessThan(0.005);
  });

  it('is deterministic: the same page twice is identical', async () => {
    const params = { symbol: 'PEPEUSDT', interval: '4h', startTime: START_MS, limit: 20 };
    expect(await klines(params)).toEqual(await klines(params));
  });
});

describe('gaps', () => {
  const gapFrom = START_MS + 2 * HOUR_MS;
  const gapTo = START_MS + 3 * HOUR_MS;

  it('omits 15m candles in a gap and the hour it covers entirely, for that symbol only', async () => {
    binance.gaps.add({ symbol: 'BTCUSDT', fromMs: gapFrom, toMs: gapTo });
    const quarters = await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START_MS, limit: 16 });
    const times = quarters.map((row) => row[0]);
    expect(times).toHaveLength(16);
    expect(times.filter((t) => t >= gapFrom && t < gapTo)).toEqual([]);
    expect(times.at(-1)).toBe(START_MS + 20 * INTERVAL_MS['15m']! - INTERVAL_MS['15m']!);
    const hours = await klines({ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS, limit: 4 });
    expect(hours.map((row) => row[0])).toEqual([0, 1, 3, 4].map((h) => START_MS + h * HOUR_MS));
    expect(await klines({ symbol: 'ETHUSDT', interval: '15m', startTime: gapFrom, limit: 1 })).toEqual([
      expect.arrayContaining([gapFrom]),
    ]);
  });

  it('aggregates only what exists when a gap covers part of a window', async () => {
    const hourOpen = START_MS + HOUR_MS;
    binance.gaps.add({ fromMs: hourOpen + 30 * MINUTE_MS, toMs: hourOpen + HOUR_MS });
    const [hour] = await klines({ symbol: 'ETHUSDT', interval: '1h', startTime: hourOpen, limit: 1 });
    binance.gaps.clear();
    const parts = (await klines({ symbol: 'ETHUSDT', interval: '15m', startTime: hourOpen, limit: 2 })) as [Row, Row];
    expect(hour?.[1]).toBe(parts[0][1]);
    expect(hour?.[4]).toBe(parts[1][4]);
    expect(BigInt(hour![5].replace('.', ''))).toBe(sumDecimals(parts.map((p) => p[5])));
  });
});

describe('weights', () => {
  it('reports the weight used this minute, growing with each request', async () => {
    await awayFromMinuteEdge();
    const fresh = await startBinanceStandIn({ now: () => NOW_MS });
    try {
      const used: string[] = [];
      for (const path of ['/api/v3/ping', '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1', '/api/v3/exchangeInfo', '/api/v3/time']) {
        const response = await fetch(`${fresh.url}${path}`);
        expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
        expect(response.headers.get('x-mbx-used-weight-1m')).toBe(response.headers.get('x-mbx-used-weight'));
        used.push(response.headers.get('x-mbx-used-weight-1m') ?? '');
      }
      expect(used).toEqual(['1', '3', '23', '24']);
      // USD-M has its own budget.
      const futures = await fetch(`${fresh.url}/fapi/v1/klines?symbol=BTCUSDT&interval=1h&limit=1000`);
      expect(futures.headers.get('x-mbx-used-weight-1m')).toBe('5');
    } finally {
      await fresh.close();
    }
  });

  it('answers 429 with Retry-After once the minute budget would be exceeded', async () => {
    await awayFromMinuteEdge();
    const tight = await startBinanceStandIn({ now: () => NOW_MS, weightLimitPerMinute: 10 });
    try {
      const onePage = { symbol: 'BTCUSDT', interval: '1h', limit: 1 };
      for (let k = 0; k < 5; k++) expect((await get(tight.url, '/api/v3/klines', onePage)).status).toBe(200);
      const refused = await get(tight.url, '/api/v3/klines', onePage);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('x-mbx-used-weight-1m')).toBe('10');
      const body = await errorOf(refused);
      expect(body.code).toBe(-1003);
      expect(body.msg).toContain('current limit of IP is 10 requests per minute');
      expect(tight.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await tight.close();
    }
  });
});

describe('faults', () => {
  const page = { symbol: 'BTCUSDT', interval: '1h', startTime: START_MS, limit: 10 };

  it.each([
    { status: 429, body: /"code":-1003,"msg":"Too many requests; current limit of IP is 6000/, type: 'application/json;charset=UTF-8' },
    { status: 418, body: /"code":-1003,"msg":"Way too many requests; IP banned until \d{13}\./, type: 'application/json;charset=UTF-8' },
    { status: 451, body: /"code":0,"msg":"Service unavailable from a restricted location/, type: 'application/json;charset=UTF-8' },
    { status: 500, body: /<h1>500 Internal Server Error<\/h1>/, type: 'text/html' },
    { status: 502, body: /<h1>502 Bad Gateway<\/h1>/, type: 'text/html' },
    { status: 503, body: /<h1>503 Service Unavailable<\/h1>/, type: 'text/html' },
    { status: 504, body: /<h1>504 Gateway Timeout<\/h1>/, type: 'text/html' },
  ])('answers a $status fault with its Binance/CDN body and Retry-After', async ({ status, body, type }) => {
    binance.faults.add({ when: { path: '/api/v3/klines' }, times: 1, action: { type: 'status', status, retryAfterSec: 7 } });
    const response = await get(binance.url, '/api/v3/klines', page);
    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toMatch(body);
    expect(binance.requests.at(-1)).toMatchObject({ path: '/api/v3/klines', status, query: { symbol: 'BTCUSDT', interval: '1h' } });
  });

  it('stalls a response, then answers normally', async () => {
    binance.faults.add({ times: 1, action: { type: 'stall', ms: 400 } });
    const started = Date.now();
    const rows = await klines(page);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(rows).toHaveLength(10);
  });

  it('lets a client timeout fire first during a stall', async () => {
    binance.faults.add({ times: 1, action: { type: 'stall', ms: 300 } });
    await expect(get(binance.url, '/api/v3/ping', {}, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const abandoned = binance.requests.at(-1);
    expect((await get(binance.url, '/api/v3/ping')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The stall ended after the client left: nothing was answered.
    expect(abandoned).toMatchObject({ path: '/api/v3/ping', status: 0 });
  });

  it('sends a 200 whose body is not JSON', async () => {
    binance.faults.add({ times: 1, action: { type: 'malformed-body' } });
    const response = await get(binance.url, '/api/v3/klines', page);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text.startsWith('[[')).toBe(true);
  });

  it('corrupts one row per listed kind and leaves the rest intact', async () => {
    const clean = await klines(page);
    binance.faults.add({
      when: { symbol: 'BTCUSDT', interval: '1h' },
      times: 1,
      action: { type: 'malformed-rows', rows: ['non-numeric', 'high-below-low', 'negative-volume', 'misaligned-time'] },
    });
    const rows = await klines(page);
    expect(Number.isNaN(Number(rows[0]?.[4]))).toBe(true);
    expect(Number(rows[1]?.[2])).toBeLessThan(Number(rows[1]?.[3]));
    expect(Number(rows[2]?.[5])).toBeLessThan(0);
    expect((rows[3]?.[0] ?? 0) % HOUR_MS).not.toBe(0);
    expect(rows.slice(4)).toEqual(clean.slice(4));
  });

  it('starts an overlapping page earlier than asked', async () => {
    binance.faults.add({ times: 1, action: { type: 'overlap', candles: 3 } });
    const rows = await klines(page);
    expect(rows).toHaveLength(10);
    expect(rows[0]?.[0]).toBe(START_MS - 3 * HOUR_MS);
  });

  it('honours `times`, insertion order, matching and remove()', async () => {
    const ethOnly = binance.faults.add({ when: { symbol: 'ETHUSDT' }, action: { type: 'status', status: 500 } });
    const twice = binance.faults.add({ when: { path: /klines$/ }, times: 2, action: { type: 'status', status: 503 } });
    const later = binance.faults.add({ when: { path: /klines$/ }, times: 1, action: { type: 'status', status: 502 } });
    const statuses: number[] = [];
    for (let k = 0; k < 4; k++) statuses.push((await get(binance.url, '/api/v3/klines', page)).status);
    expect(statuses).toEqual([503, 503, 502, 200]);
    expect([twice.remaining(), later.remaining(), ethOnly.remaining()]).toEqual([0, 0, Infinity]);
    expect((await get(binance.url, '/api/v3/klines', { ...page, symbol: 'ETHUSDT' })).status).toBe(500);
    ethOnly.remove();
    expect((await get(binance.url, '/api/v3/klines', { ...page, symbol: 'ETHUSDT' })).status).toBe(200);
  });

  it('applies row-level faults to klines only', async () => {
    const overlap = binance.faults.add({ times: 1, action: { type: 'overlap', candles: 1 } });
    expect((await get(binance.url, '/api/v3/ping')).status).toBe(200);
    expect(overlap.remaining()).toBe(1);
  });
});

describe('errors', () => {
  it.each([
    [{ symbol: 'NOPEUSDT', interval: '1h' }, 400, -1121],
    [{ symbol: 'BTCUSDT', interval: '1m' }, 400, -1120],
    [{ symbol: 'BTCUSDT', interval: '3d' }, 400, -1120],
    [{ interval: '1h' }, 400, -1102],
    [{ symbol: 'BTCUSDT' }, 400, -1102],
    [{ symbol: 'BTCUSDT', interval: '1h', startTime: 'yesterday' }, 400, -1100],
    [{ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS + 1, endTime: START_MS }, 400, -1023],
  ])('klines %o -> %i %i', async (params, status, code) => {
    const error = await errorOf(await get(binance.url, '/api/v3/klines', params));
    expect([error.status, error.code]).toEqual([status, code]);
  });

  it('filters exchangeInfo by symbol(s) and rejects unknown ones', async () => {
    const both = await get(binance.url, '/api/v3/exchangeInfo', { symbols: JSON.stringify(['BTCUSDT', 'ETHUSDT']) });
    const info = (await both.json()) as { symbols: Array<{ symbol: string }> };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(await errorOf(await get(binance.url, '/api/v3/exchangeInfo', { symbol: 'NOPEUSDT' }))).toEqual({
      status: 400,
      code: -1121,
      msg: 'Invalid symbol.',
    });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const error = await errorOf(await get(binance.url, '/api/v3/depth', { symbol: 'BTCUSDT' }));
    expect(error.status).toBe(404);
  });
});

describe('close()', () => {
  it('does not hang with a stalled request in flight', async () => {
    const doomed = await startBinanceStandIn({ now: () => NOW_MS });
    doomed.faults.add({ action: { type: 'stall', ms: 60_000 } });
    const pending = fetch(`${doomed.url}/api/v3/ping`).then(
      () => 'answered',
      () => 'failed',
    );
    while (doomed.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await doomed.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('failed');
    expect(doomed.requests[0]?.status).toBe(0);
  });
});

describe('with the real ccxt client', () => {
  /** Points every API base URL of a ccxt Binance at the stand-in, keeping the paths. */
  function pointedAtStandIn(exchange: InstanceType<typeof ccxt.binance>): InstanceType<typeof ccxt.binance> {
    const api = exchange.urls['api'] as Record<string, unknown>;
    for (const [name, value] of Object.entries(api)) {
      if (typeof value === 'string') api[name] = `${binance.url}${new URL(value).pathname}`;
    }
    return exchange;
  }

  const spotClient = () =>
    pointedAtStandIn(new ccxt.binance({ enableRateLimit: false, options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false } }));

  it('loads the spot markets with Binance precision and limits', async () => {
    const exchange = spotClient();
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets)).toHaveLength(defaultStandInMarkets().length);
    const btc = markets['BTC/USDT']!;
    expect(btc).toMatchObject({ id: 'BTCUSDT', spot: true, active: true, precision: { price: 0.01, amount: 0.00001 } });
    expect(btc.limits.amount?.min).toBe(0.00001);
    expect(btc.limits.cost?.min).toBe(5);
    expect(markets['PEPE/USDT']?.precision.price).toBe(0.00000001);
    expect(markets['LUNA/USDT']?.active).toBe(false);
  });

  it('fetches 1000 hourly candles in one page, matching the raw rows', async () => {
    const exchange = spotClient();
    const candles = await exchange.fetchOHLCV('BTC/USDT', '1h', START_MS, 1000);
    const raw = await klines({ symbol: 'BTCUSDT', interval: '1h', startTime: START_MS, limit: 1000 });
    expect(candles).toHaveLength(1000);
    expect(candles).toEqual(raw.map((row) => [row[0], ...[row[1], row[2], row[3], row[4], row[5]].map(Number)]));
    expect(binance.requests).toContainEqual(
      expect.objectContaining({ path: '/api/v3/klines', query: { symbol: 'BTCUSDT', interval: '1h', limit: '1000', startTime: String(START_MS) } }),
    );
  });

  it('maps stand-in faults to ccxt exceptions', async () => {
    const exchange = spotClient();
    await exchange.loadMarkets();
    // ccxt's binance.handleErrors turns 418 and 429 into DDoSProtection before reading the -1003 code.
    binance.faults.add({ times: 1, action: { type: 'status', status: 429 } });
    await expect(exchange.fetchOHLCV('BTC/USDT', '1h', START_MS, 10)).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    // Worth knowing for lib/exchange: ccxt swallows an unparseable 200 body and reports an empty page.
    binance.faults.add({ times: 1, action: { type: 'malformed-body' } });
    await expect(exchange.fetchOHLCV('BTC/USDT', '1h', START_MS, 10)).resolves.toEqual([]);
    binance.faults.add({ times: 1, action: { type: 'status', status: 502 } });
    await expect(exchange.fetchOHLCV('BTC/USDT', '1h', START_MS, 10)).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    await expect(exchange.fetchOHLCV('LUNA/USDT', '1m', START_MS, 10)).rejects.toBeInstanceOf(ccxt.BadRequest);
  });

  it('parses the USD-M perpetuals and their candles', async () => {
    const exchange = pointedAtStandIn(
      new ccxt.binance({ enableRateLimit: false, options: { fetchMarkets: { types: ['linear'] }, fetchCurrencies: false } }),
    );
    const markets = await exchange.loadMarkets();
    const perpetuals = defaultStandInMarkets().filter((m) => m.perpetual !== false);
    expect(Object.keys(markets)).toHaveLength(perpetuals.length);
    expect(markets['BTC/USDT:USDT']).toMatchObject({
      id: 'BTCUSDT', type: 'swap', swap: true, linear: true, settle: 'USDT', active: true, contractSize: 1,
      precision: { price: 0.01, amount: 0.00001 },
    });
    expect(markets['LUNA/USDT:USDT']).toBeUndefined();
    const candles = await exchange.fetchOHLCV('BTC/USDT:USDT', '4h', START_MS, 5);
    const spot = await klines({ symbol: 'BTCUSDT', interval: '4h', startTime: START_MS, limit: 5 });
    expect(candles.map((c) => c[4])).toEqual(spot.map((row) => Number(row[4])));
    expect(binance.requests.at(-2)?.path).toBe('/fapi/v1/klines');
  });
});
