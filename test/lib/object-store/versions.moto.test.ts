/**
 * The optional versioning capability of the object-store port (`VersionedObjectStore`), on S3
 * over moto: listing versions and delete markers relative to the store prefix, across pages,
 * and reading old versions back. The local folder keeps no versions and does not offer it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore, S3ObjectStore } from '../../../lib/object-store/index.ts';
import { isVersioned, type ObjectVersion } from '../../../lib/object-store/types.ts';
import { createTestBucket, s3ClientForTests } from '../../harness/aws.ts';

let s3: S3Client;
let versionedBucket: string;

beforeAll(async () => {
  s3 = s3ClientForTests();
  versionedBucket = await createTestBucket({ prefix: 'versions', client: s3, versioning: true });
});

const text = (body: Uint8Array | undefined) => (body === undefined ? undefined : Buffer.from(body).toString('utf8'));
const brief = (v: ObjectVersion) => ({ key: v.key, isLatest: v.isLatest, isDeleteMarker: v.isDeleteMarker, sizeBytes: v.sizeBytes });

describe('isVersioned', () => {
  it('is true for the S3 adapter and false for the local folder', async () => {
    expect(isVersioned(new S3ObjectStore({ bucket: 'any-bucket', client: s3 }))).toBe(true);
    expect(isVersioned(new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-versions-'))))).toBe(false);
  });
});

describe('S3ObjectStore versions (moto)', () => {
  it('lists every version and delete marker under a prefix, keys relative to the store prefix, newest first per key', async () => {
    const store = new S3ObjectStore({ bucket: versionedBucket, prefix: 'lake-a', client: s3 });
    const neighbour = new S3ObjectStore({ bucket: versionedBucket, prefix: 'lake-ab', client: s3 });
    const v1 = await store.put('runs/latest.json', 'one');
    const v2 = await store.put('runs/latest.json', 'second');
    await store.put('runs/gone.json', 'short-lived');
    await store.delete('runs/gone.json');
    const v3 = await store.put('runs/latest.json', 'third!!');
    await store.put('other/x.json', 'x');
    await neighbour.put('runs/latest.json', 'not mine');

    const versions = await store.listVersions('runs/');

    expect(versions.map(brief)).toEqual([
      { key: 'runs/gone.json', isLatest: true, isDeleteMarker: true, sizeBytes: 0 },
      { key: 'runs/gone.json', isLatest: false, isDeleteMarker: false, sizeBytes: 11 },
      { key: 'runs/latest.json', isLatest: true, isDeleteMarker: false, sizeBytes: 7 },
      { key: 'runs/latest.json', isLatest: false, isDeleteMarker: false, sizeBytes: 6 },
      { key: 'runs/latest.json', isLatest: false, isDeleteMarker: false, sizeBytes: 3 },
    ]);
    expect(versions.filter((v) => v.key === 'runs/latest.json').map((v) => v.etag)).toEqual([v3.etag, v2.etag, v1.etag]);
    expect(versions[0]!.etag).toBe('');
    expect(new Set(versions.map((v) => v.versionId)).size).toBe(5);
    expect(versions.every((v) => v.versionId !== 'null' && v.lastModified.getTime() > Date.now() - 120_000)).toBe(true);
    // The whole store: its own keys only ('lake-ab/' shares the 'lake-a' text but is another store).
    expect((await store.listVersions('')).map((v) => v.key)).toEqual([
      'other/x.json', 'runs/gone.json', 'runs/gone.json', 'runs/latest.json', 'runs/latest.json', 'runs/latest.json',
    ]);
  });

  it('reads any version back; a delete marker or an unknown key gives undefined', async () => {
    const store = new S3ObjectStore({ bucket: versionedBucket, prefix: 'lake-b', client: s3 });
    const first = await store.put('state/a.json', '{"n":1}');
    await store.put('state/a.json', '{"n":2}');
    await store.delete('state/a.json');
    const [marker, second, oldest] = await store.listVersions('state/a.json');

    expect(await store.get('state/a.json')).toBeUndefined();
    expect(text((await store.getVersion('state/a.json', oldest!.versionId))?.body)).toBe('{"n":1}');
    expect((await store.getVersion('state/a.json', oldest!.versionId))?.etag).toBe(first.etag);
    expect(text((await store.getVersion('state/a.json', second!.versionId))?.body)).toBe('{"n":2}');
    expect(marker!.isDeleteMarker).toBe(true);
    expect(await store.getVersion('state/a.json', marker!.versionId)).toBeUndefined();
    expect(await store.getVersion('state/never.json', oldest!.versionId)).toBeUndefined();
  });

  it('keeps versions and delete markers of one second in the order S3 lists them (interleaved)', async () => {
    // Real S3 lists a key's versions and delete markers interleaved, newest first; the SDK splits
    // them into two lists and lastModified (to the second) cannot restore the order. A canned
    // response as S3 sends it: put 'first', delete, put 'second', delete, put 'third', same second.
    const at = '2026-11-29T22:00:05.000Z';
    const entry = (tag: string, id: string, latest: boolean, size?: number) =>
      `<${tag}><Key>lake/tmp/x.json</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${at}</LastModified>` +
      (size === undefined ? '' : `<ETag>"e-${id}"</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass>`) + `</${tag}>`;
    const xml = '<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Name>canned</Name><Prefix>lake/tmp/</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>' +
      entry('Version', 'v3', true, 5) + entry('DeleteMarker', 'd2', false) + entry('Version', 'v2', false, 6) +
      entry('DeleteMarker', 'd1', false) + entry('Version', 'v1', false, 5) + '</ListVersionsResult>';
    const canned = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: Readable.from([Buffer.from(xml)]) } }),
      } as never,
    });
    const store = new S3ObjectStore({ bucket: 'canned', prefix: 'lake', client: canned });

    const versions = await store.listVersions('tmp/');

    expect(versions.map((v) => [v.key, v.versionId, v.isDeleteMarker, v.isLatest])).toEqual([
      ['tmp/x.json', 'v3', false, true],
      ['tmp/x.json', 'd2', true, false],
      ['tmp/x.json', 'v2', false, false],
      ['tmp/x.json', 'd1', true, false],
      ['tmp/x.json', 'v1', false, false],
    ]);
    expect(versions[0]).toEqual({ key: 'tmp/x.json', versionId: 'v3', isDeleteMarker: false, isLatest: true, sizeBytes: 5, etag: '"e-v3"', lastModified: new Date(at) });
  });

  it('orders versions and delete markers by time when the listing does not interleave them (moto)', async () => {
    const store = new S3ObjectStore({ bucket: versionedBucket, prefix: 'lake-d', client: s3 });
    await store.put('tmp/x.json', 'first');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await store.delete('tmp/x.json');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await store.put('tmp/x.json', 'second');

    const versions = await store.listVersions('tmp/');

    const shape = await Promise.all(versions.map(async (v) => (v.isDeleteMarker ? 'marker' : text((await store.getVersion(v.key, v.versionId))?.body))));
    expect(shape).toEqual(['second', 'marker', 'first']);
    expect(versions.map((v) => v.isLatest)).toEqual([true, false, false]);
  });

  it('follows pages, keeping a key whose versions straddle a page boundary in order', async () => {
    // A client that asks for two entries a page, so a handful of versions spans several pages.
    const paged = s3ClientForTests();
    paged.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { MaxKeys?: number };
        input.MaxKeys = 2;
        return next(args);
      },
      { step: 'initialize', name: 'smallVersionPages' },
    );
    const store = new S3ObjectStore({ bucket: versionedBucket, prefix: 'lake-c', client: paged });
    for (const body of ['a1', 'a2', 'a3']) await store.put('k/a', body);
    await store.delete('k/a');
    for (const body of ['b1', 'b2', 'b3']) await store.put('k/b', body);
    await store.put('k/c', 'c1');

    // The pages really are small (so the adapter had to follow them).
    const firstPage = await paged.send(new ListObjectVersionsCommand({ Bucket: versionedBucket, Prefix: 'lake-c/' }));
    expect(firstPage.IsTruncated).toBe(true);

    const versions = await store.listVersions('k/');
    expect(versions.map((v) => [v.key, v.isDeleteMarker ? 'marker' : v.sizeBytes, v.isLatest])).toEqual([
      ['k/a', 'marker', true], ['k/a', 2, false], ['k/a', 2, false], ['k/a', 2, false],
      ['k/b', 2, true], ['k/b', 2, false], ['k/b', 2, false],
      ['k/c', 2, true],
    ]);
    const bodies = await Promise.all(versions.filter((v) => !v.isDeleteMarker).map(async (v) => text((await store.getVersion(v.key, v.versionId))?.body)));
    expect(bodies).toEqual(['a3', 'a2', 'a1', 'b3', 'b2', 'b1', 'c1']);
  });

  it('on a bucket without versioning, lists one version per key with the id "null"', async () => {
    const plainBucket = await createTestBucket({ prefix: 'unversioned', client: s3 });
    const store = new S3ObjectStore({ bucket: plainBucket, client: s3 });
    await store.put('a.json', '1');
    await store.put('a.json', '22');
    const versions = await store.listVersions('');
    expect(versions.map((v) => [v.key, v.versionId, v.isLatest, v.sizeBytes])).toEqual([['a.json', 'null', true, 2]]);
    expect(text((await store.getVersion('a.json', 'null'))?.body)).toBe('22');
  });
});
