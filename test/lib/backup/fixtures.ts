/**
 * Shared setup of the backup tests: backup stores (a local folder and a moto bucket separate
 * from the lake's), a realistic lake written with the real writers, and helpers to corrupt or
 * compare objects.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertUpdate } from '../../../lib/alerts/store.ts';
import type { Alert } from '../../../lib/alerts/types.ts';
import type { Candle } from '../../../lib/candles/types.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import type { Timeframe } from '../../../lib/config/universe.ts';
import { leaseKey } from '../../../lib/lake/keys.ts';
import { marketsWrite } from '../../../lib/lake/markets-store.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery, type QueryRow } from '../../../lib/lake/query.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import { FileObjectStore, S3ObjectStore, type GetResult, type ObjectInfo, type ObjectStore, type PutOptions } from '../../../lib/object-store/index.ts';
import { createTestBucket, s3ClientForTests } from '../../harness/aws.ts';
import { lakeBackends, type LakeBackend } from '../../harness/lake-stores.ts';

export const silentLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface BackupBackend {
  name: string;
  open(): Promise<ObjectStore>;
}

let backupBucket: Promise<string> | undefined;

export const backupBackends: BackupBackend[] = [
  {
    name: 'file backup',
    async open() {
      return new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-backup-')));
    },
  },
  {
    name: 'S3 backup (moto)',
    async open() {
      const client = s3ClientForTests();
      backupBucket ??= createTestBucket({ prefix: 'backup', client });
      return new S3ObjectStore({ bucket: await backupBucket, prefix: `backup-${randomUUID().slice(0, 8)}`, client });
    },
  },
];

/** Every lake backend with every backup backend. */
export const storePairs: Array<{ name: string; lake: LakeBackend; backup: BackupBackend }> = lakeBackends.flatMap((lake) =>
  backupBackends.map((backup) => ({ name: `${lake.name} → ${backup.name}`, lake, backup })),
);

const H = 3_600_000;

/** Hourly-aligned candles with prices that need a few decimals (as the exchange sends them). */
export function candles(fromMs: number, count: number, stepMs: number, base: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = base + i * 1.25;
    return { openTimeMs: fromMs + i * stepMs, open, high: open + 10.5, low: open - 3.01, close: open + 0.75, volume: 2.5 + i / 8 };
  });
}

export const SERIES = [
  { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' as Timeframe, stepMs: H, base: 40_000 },
  { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '4h' as Timeframe, stepMs: 4 * H, base: 41_000 },
  { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' as Timeframe, stepMs: H, base: 2_200 },
] as const;

export const LAKE_START_MS = Date.UTC(2023, 11, 31, 12);
export const SNAPSHOT_AT_MS = Date.parse('2026-11-29T03:00:00Z');

/**
 * A lake like the jobs leave it: OHLCV parts of three series across a year boundary (two
 * writes each, so several parts), a markets snapshot, run records, an open alert, backtest task
 * state and a lease. Returns the candle count per series.
 */
export async function buildLake(store: ObjectStore): Promise<{ candles: number; markets: number }> {
  let total = 0;
  for (const s of SERIES) {
    const series = { exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe };
    const batch = candles(LAKE_START_MS, 30, s.stepMs, s.base);
    await ohlcvWrite(store, series, batch.slice(0, 20));
    await ohlcvWrite(store, series, batch.slice(20));
    total += batch.length;
  }
  const markets = [
    { symbol: 'BTC/USDT', exchangeSymbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', status: 'TRADING', active: true, tickSize: 0.01, lotStep: 0.00001, minQty: 0.00001, minNotional: 5 },
    { symbol: 'ETH/USDT', exchangeSymbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', status: 'TRADING', active: true, tickSize: 0.01, lotStep: 0.0001, minQty: 0.0001, minNotional: 5 },
  ];
  await marketsWrite(store, 'binance', markets, Date.UTC(2024, 0, 2, 0, 30));
  await writeRunRecord(store, {
    job: 'update', runId: 'update-20240102T003000Z-abc123', trigger: 'schedule', startedAt: '2024-01-02T00:30:00.000Z',
    endedAt: '2024-01-02T00:31:00.000Z', outcome: 'succeeded', summary: '3 series updated', details: { series: 3 },
  });
  const alert: Alert = {
    key: 'validate:gap:BTC/USDT:1h', severity: 'WARNING', source: { job: 'validate', runId: 'validate-1' }, text: 'gap in BTC/USDT 1h',
    firstSeenMs: Date.UTC(2024, 0, 2, 1), lastSeenMs: Date.UTC(2024, 0, 2, 1), count: 1, state: 'open', delivery: { attempts: 0 },
  };
  await alertUpdate(store, alert.key, () => alert);
  await store.put('backtest-daily/date=2024-01-02/state.json', JSON.stringify({ units: 4, done: 4 }));
  await store.put(leaseKey('update'), JSON.stringify({ holder: 'update-1', expiresAtMs: Date.UTC(2024, 0, 2, 1) }));
  return { candles: total, markets: markets.length };
}

/** The query the tests compare before and after a restore. */
export async function ohlcvTotals(store: ObjectStore): Promise<QueryRow[]> {
  const query = await openLakeQuery(store, await mkdtemp(join(tmpdir(), 'candlelake-cache-')));
  try {
    return await query.rows(
      'SELECT symbol, timeframe, count(*)::INTEGER AS n, sum(close) AS close_sum, min(open_time)::VARCHAR AS first, max(open_time)::VARCHAR AS last FROM ohlcv GROUP BY ALL ORDER BY ALL',
    );
  } finally {
    query.close();
  }
}

/** Every object's bytes by key (leases included), for byte-level comparisons. */
export async function contents(store: ObjectStore, prefix = ''): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const object of await store.list(prefix)) {
    const got = await store.get(object.key);
    map.set(object.key, Buffer.from(got!.body).toString('base64'));
  }
  return map;
}

/**
 * Changes one byte of a Parquet footer's `created_by` text (DuckDB still reads the file, so
 * only a checksum can tell), or, for other objects, the middle byte.
 */
export async function flipByte(store: ObjectStore, key: string): Promise<void> {
  const body = Buffer.from((await store.get(key))!.body);
  const at = body.lastIndexOf('DuckDB');
  const index = at >= 0 ? at : Math.floor(body.length / 2);
  body[index] = body[index]! ^ 0x20;
  await store.put(key, body);
}

export function clockAt(ms = SNAPSHOT_AT_MS): ReturnType<typeof fixedClock> {
  return fixedClock(ms);
}

/** A store that fails every put after the first `allowedPuts` (a snapshot killed midway). */
export class FailingPutStore implements ObjectStore {
  private puts = 0;
  constructor(private readonly inner: ObjectStore, private readonly allowedPuts: number) {}
  get url(): string {
    return this.inner.url;
  }
  get(key: string): Promise<GetResult | undefined> {
    return this.inner.get(key);
  }
  async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }> {
    this.puts += 1;
    if (this.puts > this.allowedPuts) throw new Error('connection reset (simulated)');
    return this.inner.put(key, body, options);
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }
  download(key: string, localPath: string): Promise<boolean> {
    return this.inner.download(key, localPath);
  }
}
