/**
 * The two lake backends tests run against: a local folder (the embedded default) and S3 on
 * the emulator (moto, or LocalStack through `AWS_ENDPOINT_URL`). Each `open()` gives an empty lake.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileObjectStore, S3ObjectStore, type ObjectStore } from '../../lib/object-store/index.ts';
import { createTestBucket, s3ClientForTests } from './aws.ts';

export interface LakeBackend {
  name: string;
  /** An empty lake and its URL (what `--lake` would be). */
  open(): Promise<{ store: ObjectStore; url: string }>;
}

let bucket: Promise<string> | undefined;

export const lakeBackends: LakeBackend[] = [
  {
    name: 'file lake',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'candlelake-lake-'));
      return { store: new FileObjectStore(dir), url: `file://${dir}` };
    },
  },
  {
    name: 'S3 lake (moto)',
    async open() {
      const client = s3ClientForTests();
      bucket ??= createTestBucket({ prefix: 'lake', client, versioning: true });
      const prefix = `lake-${randomUUID().slice(0, 8)}`;
      return { store: new S3ObjectStore({ bucket: await bucket, prefix, client }), url: `s3://${await bucket}/${prefix}` };
    },
  },
];
