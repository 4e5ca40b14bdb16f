/**
 * The ObjectStore contract, run against both adapters: FileObjectStore in a temp folder and
 * S3ObjectStore against moto (or LocalStack) through the test harness. Whatever passes here
 * for one adapter must pass for the other, so jobs behave the same on a laptop and on AWS.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordCapturedOutput } from '../../harness/secret-log-guard.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileObjectStore,
  PreconditionFailedError,
  S3ObjectStore,
  type ObjectStore,
} from '../../../lib/object-store/index.ts';
import { createTestBucket, s3ClientForTests } from '../../harness/aws.ts';

const tempDirs: string[] = [];
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = s3ClientForTests();
  bucket = await createTestBucket({ prefix: 'contract', client: s3 });
});

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function tempDir(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), `candlelake-${label}-`));
  tempDirs.push(dir);
  return dir;
}

/** Each test gets an empty store: a fresh folder, or a fresh prefix in the shared bucket. */
const adapters: { name: string; open: () => Promise<ObjectStore> }[] = [
  { name: 'FileObjectStore (temp folder)', open: async () => new FileObjectStore(await tempDir('store')) },
  {
    name: 'S3ObjectStore (moto)',
    open: async () => new S3ObjectStore({ bucket, prefix: `contract/${randomUUID()}`, client: s3 }),
  },
];

const text = (body: Uint8Array): string => Buffer.from(body).toString('utf8');
const md5Etag = (content: string | Uint8Array): string => `"${createHash('md5').update(content).digest('hex')}"`;

/** Runs `fn` over `items`, at most `limit` at a time (moto is single-process Python). */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe.each(adapters)('ObjectStore contract: $name', ({ open }) => {
  it('round-trips binary bodies byte for byte', async () => {
    const store = await open();
    const body = new Uint8Array(Array.from({ length: 512 }, (_, i) => i % 256));

    const { etag } = await store.put('bin/all-bytes.bin', body);
    const got = await store.get('bin/all-bytes.bin');

    expect(got && Buffer.from(got.body).equals(Buffer.from(body))).toBe(true);
    expect(got?.etag).toBe(etag);
  });

  it('round-trips strings as UTF-8', async () => {
    const store = await open();

    await store.put('text/hello.json', '{"pair":"BTC/USDT","note":"ünïcødé ✓"}', { contentType: 'application/json' });
    const got = await store.get('text/hello.json');

    expect(got && text(got.body)).toBe('{"pair":"BTC/USDT","note":"ünïcødé ✓"}');
  });

  it('returns undefined for a missing key from get and head', async () => {
    const store = await open();

    expect(await store.get('missing/key')).toBeUndefined();
    expect(await store.head('missing/key')).toBeUndefined();
  });

  it('gives the S3 single-part etag, "<md5 hex>", so adapters agree', async () => {
    const store = await open();

    const { etag } = await store.put('etag/a', 'same bytes everywhere');

    expect(etag).toBe(md5Etag('same bytes everywhere'));
    expect((await store.head('etag/a'))?.etag).toBe(etag);
  });

  it('changes the etag when an overwrite changes the content', async () => {
    const store = await open();
    const first = await store.put('state/x.json', 'v1');

    const second = await store.put('state/x.json', 'v2');
    const got = await store.get('state/x.json');

    expect(second.etag).not.toBe(first.etag);
    expect(got?.etag).toBe(second.etag);
    expect(got && text(got.body)).toBe('v2');
  });

  it('reports size, etag and modification time from head', async () => {
    const store = await open();
    const before = Date.now();

    const { etag } = await store.put('meta/obj', 'twelve bytes');
    const info = await store.head('meta/obj');

    expect(info).toMatchObject({ key: 'meta/obj', sizeBytes: 12, etag });
    // S3 LastModified has 1 s resolution, hence the slack.
    expect(info?.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2_000);
    expect(info?.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  it.each([
    ['a/', ['a/1', 'a/2', 'a/b/3']],
    ['a', ['a/1', 'a/2', 'a/b/3', 'ab']],
    ['a/b', ['a/b/3']],
    ['', ['a/1', 'a/2', 'a/b/3', 'ab', 'b/1']],
    ['zzz', []],
  ])('lists keys starting with %j in key order', async (prefix, expected) => {
    const store = await open();
    for (const key of ['b/1', 'ab', 'a/b/3', 'a/2', 'a/1']) await store.put(key, `body of ${key}`);

    const listed = await store.list(prefix);

    expect(listed.map((info) => info.key)).toEqual(expected);
    for (const info of listed) {
      expect(info.sizeBytes).toBe(Buffer.byteLength(`body of ${info.key}`));
      expect(info.etag).toBe(md5Etag(`body of ${info.key}`));
    }
  });

  it('lists past one ListObjectsV2 page (1005 keys)', async () => {
    const store = await open();
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await forEachLimit(keys, 25, (key) => store.put(key, 'x'));
    await store.put('other/not-listed', 'x');

    const listed = await store.list('many/');

    expect(listed.map((info) => info.key)).toEqual(keys);
  });

  it('deletes a key, and deleting a missing key is not an error', async () => {
    const store = await open();
    await store.put('del/one', '1');
    await store.put('del/two', '2');

    await store.delete('del/one');
    await store.delete('del/one');
    await store.delete('del/never-existed');

    expect(await store.get('del/one')).toBeUndefined();
    expect((await store.list('del/')).map((info) => info.key)).toEqual(['del/two']);
  });

  it('creates with ifNoneMatch: "*" only when the key is free', async () => {
    const store = await open();

    await store.put('lease', 'first', { ifNoneMatch: '*' });
    const second = store.put('lease', 'second', { ifNoneMatch: '*' });

    await expect(second).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(second).rejects.toMatchObject({ key: 'lease', condition: 'ifNoneMatch' });
    const got = await store.get('lease');
    expect(got && text(got.body)).toBe('first');
  });

  it('lets exactly one of 10 concurrent create-exclusive puts win', async () => {
    const store = await open();

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.put('race/lease', `writer ${i}`, { ifNoneMatch: '*' })),
    );

    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    for (const reason of losers) expect(reason).toBeInstanceOf(PreconditionFailedError);
    const got = await store.get('race/lease');
    expect(got && text(got.body)).toBe(`writer ${winners[0]}`);
  });

  it('compare-and-swaps with ifMatch: the current etag wins, a stale one fails', async () => {
    const store = await open();
    const v1 = await store.put('cas/counter', '1');
    const v2 = await store.put('cas/counter', '2', { ifMatch: v1.etag });

    const stale = store.put('cas/counter', 'lost update', { ifMatch: v1.etag });

    await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(stale).rejects.toMatchObject({ condition: 'ifMatch' });
    const got = await store.get('cas/counter');
    expect(got && text(got.body)).toBe('2');
    expect(got?.etag).toBe(v2.etag);
  });

  it('fails ifMatch on a missing key with PreconditionFailedError', async () => {
    const store = await open();

    const put = store.put('cas/missing', 'x', { ifMatch: md5Etag('anything') });

    await expect(put).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await store.get('cas/missing')).toBeUndefined();
  });

  it('downloads the exact bytes to a local file, replacing what was there', async () => {
    const store = await open();
    const body = new Uint8Array(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    await store.put('dl/data.bin', body);
    const destination = path.join(await tempDir('download'), 'nested', 'data.bin');
    await fs.mkdir(path.dirname(destination), { recursive: true });
    await fs.writeFile(destination, 'old contents');

    const found = await store.download('dl/data.bin', destination);

    expect(found).toBe(true);
    expect((await fs.readFile(destination)).equals(Buffer.from(body))).toBe(true);
    // No temp files left beside the destination.
    expect(await fs.readdir(path.dirname(destination))).toEqual(['data.bin']);
  });

  it('returns false from download for a missing key and writes nothing', async () => {
    const store = await open();
    const destination = path.join(await tempDir('download'), 'missing.bin');

    expect(await store.download('dl/missing.bin', destination)).toBe(false);
    expect(existsSync(destination)).toBe(false);
  });
});

describe('ObjectStore contract: adapters agree', () => {
  it('gives equal etags for equal content in FileObjectStore and S3ObjectStore', async () => {
    const [fileStore, s3Store] = await Promise.all(adapters.map((adapter) => adapter.open()));
    const body = new Uint8Array(Array.from({ length: 1000 }, (_, i) => (i * 31) % 256));

    const [fromFile, fromS3] = await Promise.all([fileStore!.put('k', body), s3Store!.put('k', body)]);

    expect(fromFile.etag).toBe(fromS3.etag);
    expect((await fileStore!.list(''))[0]?.etag).toBe((await s3Store!.list(''))[0]?.etag);
  });
});

describe('FileObjectStore specifics', () => {
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'race-writer.ts');

  /** Starts racers, waits until all are ready, then releases them together; returns their stdout. */
  async function race(argsPerProcess: string[][]): Promise<string[]> {
    const children = argsPerProcess.map((args) =>
      spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const outputs = children.map((child) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child.once('close', () => { recordCapturedOutput(stdout, 'race-writer stdout'); recordCapturedOutput(stderr, 'race-writer stderr'); });
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => { if (stdout.includes('ready\n')) resolve(); });
        child.once('exit', () => reject(new Error(`racer exited before ready: ${stderr}`)));
      });
      const done = new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`racer failed (${code}): ${stderr}`))));
      });
      return { ready, done };
    });
    await Promise.all(outputs.map((output) => output.ready));
    for (const child of children) child.stdin.end('go\n');
    return Promise.all(outputs.map((output) => output.done));
  }

  it('lets exactly one of 4 processes win a create-exclusive race', async () => {
    const root = await tempDir('xproc');

    const stdouts = await race([1, 2, 3, 4].map((id) => ['create', root, 'leases/daily', String(id)]));

    const winners = stdouts.filter((out) => out.includes('won'));
    expect(winners).toHaveLength(1);
    expect(stdouts.filter((out) => out.includes('lost'))).toHaveLength(3);
    const got = await new FileObjectStore(root).get('leases/daily');
    expect(got && text(got.body)).toMatch(/^written by [1-4]$/);
  });

  it('keeps every compare-and-swap increment from 4 processes (no lost updates)', async () => {
    const root = await tempDir('xproc');
    await new FileObjectStore(root).put('counter', '0');

    await race([1, 2, 3, 4].map((id) => ['increment', root, 'counter', String(id), '15']));

    const got = await new FileObjectStore(root).get('counter');
    expect(got && text(got.body)).toBe('60');
  });

  it('prunes folders a delete leaves empty, but not the root or non-empty ones', async () => {
    const root = await tempDir('prune');
    const store = new FileObjectStore(root);
    await store.put('a/b/c/one', '1');
    await store.put('a/two', '2');

    await store.delete('a/b/c/one');

    expect(existsSync(path.join(root, 'a', 'b'))).toBe(false);
    expect(existsSync(path.join(root, 'a', 'two'))).toBe(true);
    await store.delete('a/two');
    expect(existsSync(path.join(root, 'a'))).toBe(false);
    expect(existsSync(root)).toBe(true);
  });

  it('never lists its temp and lock files', async () => {
    const root = await tempDir('hidden');
    const store = new FileObjectStore(root);
    await store.put('x', '1', { ifNoneMatch: '*' });
    await fs.mkdir(path.join(root, '.tmp', 'locks'), { recursive: true });
    await fs.writeFile(path.join(root, '.tmp', 'locks', 'leftover.lock'), '');

    expect((await store.list('')).map((info) => info.key)).toEqual(['x']);
  });

  it('breaks a lock left by a dead process', async () => {
    const root = await tempDir('stale');
    const store = new FileObjectStore(root, { lockTimeoutMs: 2_000 });
    const lockFile = path.join(root, '.tmp', 'locks', `${createHash('md5').update('k').digest('hex')}.lock`);
    await fs.mkdir(path.dirname(lockFile), { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max, so no process can hold it.
    await fs.writeFile(lockFile, `4194305@${hostname()} dead-writer`);

    await store.put('k', 'v');

    expect(existsSync(lockFile)).toBe(false);
  });

  it.each(['', '/abs', 'a//b', '../escape', 'a/./b', '.tmp/x', 'back\\slash'])('rejects the key %j', async (key) => {
    const store = new FileObjectStore(await tempDir('keys'));

    await expect(store.put(key, 'x')).rejects.toBeInstanceOf(RangeError);
  });

  it('has a file:// URL for its absolute root', () => {
    expect(new FileObjectStore('/srv/lake').url).toBe('file:///srv/lake');
  });
});
