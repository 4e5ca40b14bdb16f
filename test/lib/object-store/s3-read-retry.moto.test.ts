/**
 * Reads from S3 whose connection dies while the body streams: the SDK retries a GetObject only
 * until its headers arrive, so `S3ObjectStore` repeats the request and the whole body read
 * itself, a bounded number of times, and never repeats S3's own answers (missing key, 5xx the SDK
 * already retried). Real SDK client → the chaos fault proxy → moto.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { S3FaultProxy } from '../../../bench/chaos/s3-fault-proxy.ts';
import { isTransientReadError, READ_ATTEMPTS, S3ObjectStore, TruncatedBodyError } from '../../../lib/object-store/s3.ts';
import { faultProxiedLake } from '../../harness/aws.ts';

let proxy: S3FaultProxy;
let store: S3ObjectStore;
let direct: S3ObjectStore;

beforeAll(async () => {
  ({ proxy, store, direct } = await faultProxiedLake({ prefix: 'read-retry', versioning: true }));
});
afterEach(() => {
  proxy.clear();
});
afterAll(async () => {
  await proxy.close();
});

const body = 'candle,'.repeat(3_000);
const getsOf = (key: string) => proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/lake/${key}`));

describe('S3ObjectStore reads with the body cut mid-stream (fault proxy → moto)', () => {
  it('get: a body cut once is read again, whole', async () => {
    const key = `cut-${randomUUID()}.csv`;
    await direct.put(key, body);
    const rule = proxy.add({ when: { method: 'GET' }, nth: [1], action: { type: 'truncate-body' } });
    const got = await store.get(key);
    expect(rule.injected()).toBe(1);
    expect(Buffer.from(got!.body).toString()).toBe(body);
    expect(getsOf(key).map((r) => r.fault)).toEqual(['truncate-body', undefined]);
  });

  it('getVersion: a body cut once is read again, whole', async () => {
    const key = `cut-version-${randomUUID()}.csv`;
    await direct.put(key, body);
    await direct.put(key, 'newer');
    const old = (await direct.listVersions(key)).find((v) => !v.isLatest)!;
    const rule = proxy.add({ when: { method: 'GET' }, nth: [1], action: { type: 'truncate-body' } });
    const got = await store.getVersion(key, old.versionId);
    expect(Buffer.from(got!.body).toString()).toBe(body);
    expect(rule.injected()).toBe(1);
  });

  it('download: a body cut once lands the whole file, no temp file left beside it', async () => {
    const key = `cut-download-${randomUUID()}.csv`;
    await direct.put(key, body);
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-read-retry-'));
    proxy.add({ when: { method: 'GET' }, nth: [1], action: { type: 'truncate-body' } });
    expect(await store.download(key, join(dir, 'part.csv'))).toBe(true);
    expect(await readFile(join(dir, 'part.csv'), 'utf8')).toBe(body);
    expect(await readdir(dir)).toEqual(['part.csv']);
    expect(getsOf(key).map((r) => r.fault)).toEqual(['truncate-body', undefined]);
  });

  it('gives up after a bounded number of attempts when every body is cut', async () => {
    const key = `cut-always-${randomUUID()}.csv`;
    await direct.put(key, body);
    proxy.add({ when: { method: 'GET' }, action: { type: 'truncate-body' } });
    await expect(store.get(key)).rejects.toThrow(/aborted|premature|ECONNRESET|ended after/i);
    expect(getsOf(key)).toHaveLength(READ_ATTEMPTS);
  });

  it('a missing key is answered at once, not retried', async () => {
    const key = `missing-${randomUUID()}.csv`;
    expect(await store.get(key)).toBeUndefined();
    expect(await store.download(key, join(tmpdir(), `candlelake-${randomUUID()}.csv`))).toBe(false);
    expect(getsOf(key)).toHaveLength(2);
  });

  it("S3's 5xx, already retried by the SDK, is not retried again on top", async () => {
    const key = `internal-${randomUUID()}.csv`;
    await direct.put(key, body);
    proxy.add({ when: { method: 'GET' }, action: { type: 'error', code: 'InternalError' } });
    await expect(store.get(key)).rejects.toBeInstanceOf(S3ServiceException);
    // The SDK's standard retry strategy makes 3 attempts; ours must not multiply them.
    expect(getsOf(key)).toHaveLength(3);
  });
});

describe('a body that ends short without a stream error', () => {
  it('is caught by its Content-Length and read again', async () => {
    let calls = 0;
    // A stub client: no real server ends a stream cleanly short of its Content-Length on demand.
    const client = {
      send: async () => {
        calls += 1;
        const bytes = calls === 1 ? Buffer.from('half') : Buffer.from('whole!!!');
        return { ETag: '"e"', ContentLength: 8, Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
      },
    } as unknown as S3Client;
    const stubbed = new S3ObjectStore({ bucket: 'any-bucket', client });
    expect(Buffer.from((await stubbed.get('k'))!.body).toString()).toBe('whole!!!');
    expect(calls).toBe(2);
  });
});

describe('isTransientReadError', () => {
  const service = (name: string, status: number) =>
    new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
  it.each([
    ['socket aborted mid-body', Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), true],
    ['premature close', Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }), true],
    ['short body', new TruncatedBodyError('k', 1, 2), true],
    ['NoSuchKey', service('NoSuchKey', 404), false],
    ['AccessDenied', service('AccessDenied', 403), false],
    ['InternalError (the SDK retried it)', service('InternalError', 500), false],
    ['a programming error', new RangeError('invalid object key'), false],
  ])('%s -> %s', (_name, error, transient) => {
    expect(isTransientReadError(error)).toBe(transient);
  });
});
