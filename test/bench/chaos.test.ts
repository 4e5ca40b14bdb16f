/**
 * The chaos runner's own parts: the S3 fault proxy in front of moto (the real AWS SDK retries
 * what it injects, and it counts what it injected), the ground-truth audit (it does see a lost
 * candle), and two cheap scenarios through the runner's API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOhlcvPartKey } from '../../lib/lake/keys.ts';
import { FileObjectStore } from '../../lib/object-store/file.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../stand-ins/binance/index.ts';
import { useAwsEndpoint } from '../harness/aws.ts';
import { auditCandles } from '../../bench/chaos/ground-truth.ts';
import { passes, readmeWithTable } from '../../bench/chaos/report.ts';
import { runChaos } from '../../bench/chaos/runner.ts';
import { countingS3Client, createS3Lake, type S3Lake } from '../../bench/chaos/s3-lake.ts';
import { startS3FaultProxy, type S3FaultProxy } from '../../bench/chaos/s3-fault-proxy.ts';
import { ALL_SCENARIOS } from '../../bench/chaos/scenarios.ts';
import { faultTotal } from '../../bench/chaos/types.ts';
import { updateRunner } from '../../bench/chaos/update-harness.ts';

let endpoint: string;
beforeAll(() => {
  endpoint = useAwsEndpoint();
});

describe('the S3 fault proxy in front of moto', () => {
  let proxy: S3FaultProxy;
  let lake: S3Lake;
  let counter: ReturnType<typeof countingS3Client>['counter'];
  beforeAll(async () => {
    proxy = await startS3FaultProxy({ target: endpoint, seed: 7 });
    const proxied = countingS3Client(proxy.url);
    counter = proxied.counter;
    lake = await createS3Lake('proxy-test', proxied.client, countingS3Client(endpoint).client);
  });
  afterEach(() => {
    proxy.clear();
  });
  afterAll(async () => {
    await proxy.close();
  });

  const readDirect = async (key: string) => Buffer.from((await lake.direct.get(key))!.body).toString();

  it('a 503 SlowDown is retried by the SDK and the object arrives', async () => {
    const key = `slowdown-${randomUUID()}.txt`;
    const retriesBefore = counter.retries;
    const injectedBefore = proxy.injected.length;
    const rule = proxy.add({ when: { method: 'PUT' }, nth: [1], action: { type: 'error', code: 'SlowDown' } });
    await lake.store.put(key, 'candles');
    expect(rule.injected()).toBe(1);
    expect(proxy.injected.slice(injectedBefore).map((i) => i.kind)).toEqual(['SlowDown']);
    expect(counter.retries - retriesBefore).toBe(1);
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(key)).map((r) => r.fault)).toEqual(['SlowDown', undefined]);
    expect(await readDirect(key)).toBe('candles');
  });

  it("answers S3's XML error with its status and request id headers", async () => {
    proxy.add({ action: { type: 'error', code: 'InternalError' } });
    const response = await fetch(`${proxy.url}/${lake.bucket}/any-key`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/xml');
    expect(response.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(await response.text()).toMatch(/<Error><Code>InternalError<\/Code><Message>We encountered an internal error\. Please try again\.<\/Message><Resource>\/[^<]+\/any-key<\/Resource>/);
  });

  it('a connection reset before moto answers is retried; the write is stored once', async () => {
    const key = `reset-${randomUUID()}.txt`;
    const retriesBefore = counter.retries;
    proxy.add({ when: { method: 'PUT' }, nth: [1], action: { type: 'reset' } });
    await lake.store.put(key, 'v1');
    expect(proxy.counts().reset).toBe(1);
    expect(counter.retries - retriesBefore).toBe(1);
    expect(await readDirect(key)).toBe('v1');
  });

  it('a GET cut mid-body is read again by the store (the SDK does not retry a body stream), never as a short object', async () => {
    const key = `cut-${randomUUID()}.txt`;
    await lake.direct.put(key, 'x'.repeat(10_000));
    const rule = proxy.add({ when: { method: 'GET' }, nth: [1], action: { type: 'truncate-body' } });
    expect((await lake.store.get(key))!.body.length).toBe(10_000);
    expect(rule.injected()).toBe(1);
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(key)).map((r) => r.fault)).toEqual(['truncate-body', undefined]);
  });

  it('a lost answer to a create-only PUT: the write happened, and the retry meets it (412)', async () => {
    const key = `lost-${randomUUID()}.json`;
    proxy.add({ when: { method: 'PUT', header: 'if-none-match' }, nth: [1], action: { type: 'lose-response' } });
    await expect(lake.store.put(key, '{"mine":true}', { ifNoneMatch: '*' })).rejects.toThrow(/conditional write/);
    expect(proxy.counts()['lose-response']).toBe(1);
    expect(await readDirect(key)).toBe('{"mine":true}');
  });

  it('rate rules are seeded: the same seed injects on the same requests, and every injection is counted', async () => {
    const pattern = async (seed: number) => {
      const own = await startS3FaultProxy({ target: endpoint, seed });
      try {
        own.add({ when: { method: 'GET' }, rate: 0.3, action: { type: 'error', code: 'InternalError' } });
        const { client } = countingS3Client(own.url);
        for (let i = 0; i < 20; i += 1) {
          await client.send(new ListObjectsV2Command({ Bucket: lake.bucket, MaxKeys: 1 })).catch(() => undefined);
        }
        expect(own.requests.filter((r) => r.fault === 'InternalError')).toHaveLength(own.injected.length);
        expect(own.counts().InternalError ?? 0).toBe(own.injected.length);
        return own.requests.map((r) => (r.fault ? 'x' : '.')).join('');
      } finally {
        await own.close();
      }
    };
    const first = await pattern(11);
    expect(first).toContain('x');
    expect(first).toContain('.');
    expect(await pattern(11)).toBe(first);
  });

  it('a held request keeps the client waiting until the proxy lets go', async () => {
    const seen: string[] = [];
    proxy.add({ when: { method: 'GET' }, nth: [1], action: { type: 'hang' }, onInject: (r) => seen.push(r.path) });
    const { client } = countingS3Client(proxy.url);
    const pending = client.send(new GetObjectCommand({ Bucket: lake.bucket, Key: 'held' }), { abortSignal: AbortSignal.timeout(300) });
    await expect(pending).rejects.toThrow(/abort/i);
    expect(seen).toEqual([`/${lake.bucket}/held`]);
  });
});

describe('the ground truth', () => {
  let standIn: BinanceStandIn;
  beforeAll(async () => {
    standIn = await startBinanceStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('sees a lake that matches the exchange as lossless, and a deleted part as exactly its candles lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-audit-'));
    const store = new FileObjectStore(dir);
    const update = updateRunner(store, `file://${dir}`, standIn.url, (now) => standIn.setNow(now));
    expect((await update.run()).outcome).toBe('succeeded');
    const clean = await auditCandles(store, standIn.url, update.windows());
    expect(clean).toMatchObject({ missing: 0, duplicates: 0, mismatched: 0, extra: 0, lost: 0 });
    expect(clean.expected).toBe(clean.stored);
    expect(clean.expected).toBeGreaterThan(1_000);

    const part = (await store.list('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/')).find((o) => o.key.endsWith('.parquet'))!;
    await store.delete(part.key);
    const damaged = await auditCandles(store, standIn.url, update.windows());
    // The series was one part: every hourly candle its name spans is gone.
    const range = parseOhlcvPartKey(part.key)!;
    const inPart = (range.lastOpenTimeMs - range.firstOpenTimeMs) / 3_600_000 + 1;
    expect(inPart).toBeGreaterThan(100);
    expect(damaged.missing).toBe(inPart);
    expect(damaged.lost).toBe(inPart);
    expect(damaged.firstProblem).toMatch(/^BTC\/USDT 1h .* missing$/);
  });
});

describe('scenarios through the runner', () => {
  it('a persistent 5xx (next run fills the hole) and S3 InternalErrors: faults injected, recovered, nothing lost', async () => {
    const picked = ALL_SCENARIOS.filter((s) => s.id === 'exchange-5xx-persistent' || s.id === 's3-internal-error');
    const report = await runChaos(picked, { awsEndpoint: endpoint, log: () => {} });
    expect(report.scenarios.map((s) => s.id)).toEqual(['exchange-5xx-persistent', 's3-internal-error']);
    for (const result of report.scenarios) {
      expect(result.error).toBeUndefined();
      expect(faultTotal(result.faults)).toBeGreaterThan(0);
      expect(result).toMatchObject({ ok: true, lost: 0, duplicates: 0, recovered: true, detected: true });
      expect(result.checked).toBeGreaterThan(1_000);
    }
    const [persistent, s3] = report.scenarios;
    expect(persistent!.recovery).toBe('next run');
    expect(persistent!.faults['500']).toBe(5);
    expect(s3!.faults['InternalError']).toBeGreaterThan(5);
    expect(report.ok).toBe(true);
  });

  it('the verdict fails a scenario that lost anything, did not recover, was not detected, or injected nothing', () => {
    const good = {
      id: 'x', group: 'g', title: 't', seconds: 1, faults: { a: 1 }, detected: true, detection: '', recovered: true,
      recovery: 'next run' as const, timeToRecoverMs: 1, lost: 0, duplicates: 0, unit: 'candles' as const, checked: 10, notes: [],
    };
    expect(passes(good)).toBe(true);
    expect(passes({ ...good, lost: 1 })).toBe(false);
    expect(passes({ ...good, duplicates: 1 })).toBe(false);
    expect(passes({ ...good, recovered: false })).toBe(false);
    expect(passes({ ...good, detected: false })).toBe(false);
    expect(passes({ ...good, faults: { a: 0 } })).toBe(false);
    expect(passes({ ...good, error: 'boom' })).toBe(false);
  });

  it("a full run rewrites only README's table between its markers, and refuses a README without them", () => {
    const scenario = {
      id: 'x', group: 'g', title: 'S3 | pipes', seconds: 1, faults: { SlowDown: 3 }, detected: true, detection: '', recovered: true, ok: true,
      recovery: 'same run (retries)' as const, timeToRecoverMs: 1500, lost: 0, duplicates: 0, unit: 'candles' as const, checked: 10, notes: [],
    };
    const report = { at: '2026-11-30T01:00:00.000Z', seconds: 70.4, ok: true, machine: { node: 'v20', cpus: 2 }, scenarios: [scenario] };
    const readme = 'intro\n<!-- chaos-table:start -->\nold table\n<!-- chaos-table:end -->\nafter\n';

    const updated = readmeWithTable(readme, report);

    expect(updated.startsWith('intro\n<!-- chaos-table:start -->\nLatest run: 2026-11-30, 70 s, all passed.\n\n| scenario |')).toBe(true);
    expect(updated).toContain('| S3 \\| pipes | 3× SlowDown | yes | yes: same run (retries) | 1.5 s | 0 of 10 candles |');
    expect(updated).not.toContain('old table');
    expect(updated.endsWith('\n<!-- chaos-table:end -->\nafter\n')).toBe(true);
    expect(readmeWithTable(updated, report)).toBe(updated);
    expect(() => readmeWithTable('no markers', report)).toThrow(/chaos-table:start/);
  });
});
