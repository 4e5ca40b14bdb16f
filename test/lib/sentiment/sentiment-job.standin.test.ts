/**
 * The sentiment job end to end, in process, on both lake backends (a folder, and S3 on moto):
 * the real clients (fetch, ccxt binanceusdm) against the alternative.me, FRED and Binance stand-ins
 * on loopback. First run, incremental run, rerun idempotency, each fault, the missing-key path, and
 * the joined query (close with funding and fear & greed on the same day).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.ts';
import type { Clock } from '../../../lib/clock/index.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { readLatestRun } from '../../../lib/lake/run-records.ts';
import { sentimentRead } from '../../../lib/lake/sentiment-store.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { createSentimentDeps } from '../../../lib/sentiment/create-deps.ts';
import { runSentiment, type SentimentResult } from '../../../lib/sentiment/index.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { startAlternativeMeStandIn } from '../../stand-ins/alternative-me/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { startFredStandIn } from '../../stand-ins/fred/index.ts';
import { FRED_SENTIMENT_JOB_KEY } from '../../harness/test-secrets.ts';

const H = 3_600_000;
const D = 24 * H;
const DAY1 = Date.UTC(2024, 5, 10, 2, 0); // 02:00 UTC, the job's slot
const FRED_KEY = FRED_SENTIMENT_JOB_KEY;

let now = DAY1;
const clock: Clock = { nowMs: () => now };
let binance: BinanceStandIn;
let fearGreed: Awaited<ReturnType<typeof startAlternativeMeStandIn>>;
let fred: Awaited<ReturnType<typeof startFredStandIn>>;

beforeAll(async () => {
  binance = await startBinanceStandIn({ now: () => now });
  fearGreed = await startAlternativeMeStandIn({ now: () => now });
  fred = await startFredStandIn({ apiKey: FRED_KEY, now: () => now });
});
afterAll(async () => {
  await Promise.all([binance.close(), fearGreed.close(), fred.close()]);
});

function config(lakeUrl: string, cacheDir: string) {
  return loadConfig({
    env: {},
    overrides: {
      lake: lakeUrl,
      cacheDir,
      exchange: { baseUrl: binance.url, maxTries: 3, retryBaseMs: 5, rateLimitShare: 1 },
      // LUNA/USDT trades spot on the stand-in and has no perpetual.
      universe: { symbols: ['BTC/USDT', 'ETH/USDT', 'LUNA/USDT'] },
      sentiment: { fearGreedUrl: fearGreed.url, fredUrl: fred.url, fredSeries: ['DGS10', 'VIXCLS'], fundingLookbackDays: 10, macroLookbackDays: 20, timeoutMs: 2_000 },
    },
  });
}

describe.each(lakeBackends)('the sentiment job on a $name', (backend) => {
  let store: ObjectStore;
  let lakeUrl: string;
  let cacheDir: string;
  const run = async (fredKey: string | null = FRED_KEY): Promise<SentimentResult> => {
    const logger = capturingLogger();
    const deps = createSentimentDeps(config(lakeUrl, cacheDir), logger, clock, fredKey ?? undefined);
    const result = await runSentiment({ ...deps, store }, { trigger: 'test' });
    expect(JSON.stringify(logger.lines)).not.toContain(FRED_KEY);
    return result;
  };

  beforeAll(async () => {
    ({ store, url: lakeUrl } = await backend.open());
    cacheDir = await mkdtemp(join(tmpdir(), 'candlelake-sentiment-cache-'));
    now = DAY1;
    fearGreed.faults.clear();
    fred.faults.clear();
    binance.faults.clear();
  });

  it('first run: the whole fear & greed history, 10 days of funding, 30 days of open interest and ratios, 20 days of macro; no perpetual noted', async () => {
    const result = await run();

    expect(result.outcome).toBe('succeeded');
    expect(result.sources.map((s) => [s.source, s.status])).toEqual([['fear_greed', 'ok'], ['derivatives', 'ok'], ['macro', 'ok']]);
    expect(result.withoutPerpetual).toEqual(['LUNA/USDT']);
    expect(result.findings).toEqual([]);
    const fg = await sentimentRead(store, { dataset: 'fear_greed' });
    expect(fg[0]!.dateMs).toBe(Date.UTC(2018, 1, 1));
    expect(fg.at(-1)!.dateMs).toBe(Date.UTC(2024, 5, 10));
    expect(fg).toHaveLength((Date.UTC(2024, 5, 10) - Date.UTC(2018, 1, 1)) / D + 1);
    const funding = await sentimentRead(store, { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' });
    expect(funding).toHaveLength(30); // 10 days × 3 a day, up to 00:00 today
    expect(funding.every((p, i) => i === 0 || p.timeMs - funding[i - 1]!.timeMs === 8 * H)).toBe(true);
    const oi = await sentimentRead(store, { dataset: 'open_interest', exchange: 'binance', symbol: 'ETH/USDT', period: '1h' });
    expect(oi.length).toBeGreaterThan(29 * 24);
    expect(oi.at(-1)!.timeMs).toBeLessThanOrEqual(now);
    const ratio = await sentimentRead(store, { dataset: 'long_short_ratio', exchange: 'binance', symbol: 'BTC/USDT', period: '1h' });
    expect(ratio.length).toBe(oi.length);
    for (const r of ratio) expect(r.longAccount + r.shortAccount).toBeCloseTo(1, 6);
    const dgs10 = await sentimentRead(store, { dataset: 'macro', series: 'DGS10' });
    expect(dgs10.length).toBeGreaterThan(10);
    expect(dgs10.every((p) => ![0, 6].includes(new Date(p.dateMs).getUTCDay()))).toBe(true);
    expect(await sentimentRead(store, { dataset: 'funding', exchange: 'binance', symbol: 'LUNA/USDT' })).toEqual([]);
    expect(await readLatestRun(store, 'sentiment')).toMatchObject({ runId: result.runId, outcome: 'succeeded' });
  });

  it('a rerun the same hour adds nothing; the next day adds exactly the new rows', async () => {
    const again = await run();
    expect(again.sources.map((s) => s.rowsWritten)).toEqual([0, 0, 0]);
    const objects = (await store.list('')).filter((o) => !o.key.startsWith('runs/') && !o.key.startsWith('leases/')).length;
    expect((await run()).sources.map((s) => s.rowsWritten)).toEqual([0, 0, 0]);
    expect((await store.list('')).filter((o) => !o.key.startsWith('runs/') && !o.key.startsWith('leases/')).length).toBe(objects);

    now = DAY1 + D;
    const next = await run();
    const fg = next.sources.find((s) => s.source === 'fear_greed')!;
    expect(fg.rowsWritten).toBe(1);
    const funding = await sentimentRead(store, { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' });
    expect(funding).toHaveLength(33);
    // Per symbol with a perpetual: 3 funding + 24 open interest + 24 ratio rows.
    expect(next.sources.find((s) => s.source === 'derivatives')!.rowsWritten).toBe(2 * (3 + 24 + 24));
  });

  it('without a FRED key the macro series are skipped, said once as a note, not an error', async () => {
    const result = await run(null);
    expect(result.outcome).toBe('succeeded');
    expect(result.sources.find((s) => s.source === 'macro')).toMatchObject({ status: 'skipped', rowsWritten: 0 });
    expect(result.notes).toEqual(['macro series skipped: FRED_API_KEY is not set']);
    expect(result.findings).toEqual([]);
  });

  it('alternative.me down for the whole run: the others succeed, the run is partial and names it', async () => {
    now += D;
    fearGreed.faults.add({ action: { type: 'outage', mode: 'status' } });
    try {
      const result = await run();
      expect(result.outcome).toBe('partial');
      expect(result.sources.map((s) => [s.source, s.status])).toEqual([['fear_greed', 'failed'], ['derivatives', 'ok'], ['macro', 'ok']]);
      expect(result.sources[1]!.rowsWritten).toBeGreaterThan(0);
      expect(result.findings).toEqual([expect.objectContaining({ key: 'sentiment:source-failed:fear_greed', severity: 'WARNING' })]);
    } finally {
      fearGreed.faults.clear();
    }
    // Once it is back, the missed day comes in.
    expect((await run()).sources[0]).toMatchObject({ status: 'ok', rowsWritten: 1 });
  });

  it('429 with Retry-After, a 5xx, an empty page and a malformed body: retried or reported, never a crash', async () => {
    now += D;
    fred.faults.add({ times: 1, when: { query: { series_id: 'DGS10' } }, action: { type: 'status', status: 429, retryAfterSec: 1 } });
    binance.faults.add({ times: 1, when: { path: '/fapi/v1/fundingRate', symbol: 'BTCUSDT' }, action: { type: 'status', status: 502 } });
    binance.faults.add({ times: 1, when: { path: '/futures/data/openInterestHist', symbol: 'ETHUSDT' }, action: { type: 'empty-page' } });
    fred.faults.add({ when: { query: { series_id: 'VIXCLS' } }, action: { type: 'malformed-body' } });
    try {
      const started = Date.now();
      const result = await run();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(result.outcome).toBe('partial');
      expect(result.sources.find((s) => s.source === 'macro')).toMatchObject({ status: 'partial', failures: [expect.objectContaining({ series: 'VIXCLS' })] });
      expect(result.sources.find((s) => s.source === 'derivatives')!.status).toBe('ok');
    } finally {
      fred.faults.clear();
      binance.faults.clear();
    }
    // The empty page left a hole the next run fills: ETH open interest is whole again.
    const healed = await run();
    expect(healed.outcome).toBe('succeeded');
    const oi = await sentimentRead(store, { dataset: 'open_interest', exchange: 'binance', symbol: 'ETH/USDT', period: '1h' });
    expect(oi.at(-1)!.timeMs).toBe(Math.floor(now / H) * H);
    expect(oi.every((p, i) => i === 0 || p.timeMs - oi[i - 1]!.timeMs === H)).toBe(true);
  });

  it('the exchange down for the whole run: derivatives failed, the rest stored', async () => {
    now += D;
    binance.faults.add({ when: { path: /^\/(fapi|futures)\// }, action: { type: 'status', status: 503 } });
    try {
      const result = await run();
      expect(result.sources.map((s) => [s.source, s.status])).toEqual([['fear_greed', 'ok'], ['derivatives', 'failed'], ['macro', 'ok']]);
      expect(result.outcome).toBe('partial');
    } finally {
      binance.faults.clear();
    }
  });

  it('a joined query: close with the funding rate and fear & greed of the same day', async () => {
    const day = Date.UTC(2024, 5, 8);
    await ohlcvWrite(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1d' }, [
      { openTimeMs: day, open: 100, high: 110, low: 95, close: 105.5, volume: 12 },
    ]);
    const lake = await openLakeQuery(store, cacheDir);
    try {
      const rows = await lake.rows(
        `SELECT o.symbol, o.open_time::DATE::VARCHAR AS day, o.close, f.funding_rate, g.value AS fear_greed FROM ohlcv o ` +
          `JOIN funding f ON f.symbol = o.symbol AND f.funding_time = o.open_time JOIN fear_greed g ON g.date = o.open_time::DATE WHERE o.timeframe = '1d'`,
      );
      const funding = (await sentimentRead(store, { dataset: 'funding', exchange: 'binance', symbol: 'BTC/USDT' })).find((p) => p.timeMs === day)!;
      const fg = (await sentimentRead(store, { dataset: 'fear_greed' })).find((p) => p.dateMs === day)!;
      expect(rows).toEqual([{ symbol: 'BTC/USDT', day: '2024-06-08', close: 105.5, funding_rate: funding.rate, fear_greed: fg.value }]);
    } finally {
      lake.close();
    }
  });
});
