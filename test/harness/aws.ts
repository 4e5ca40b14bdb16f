/**
 * Helpers for tests that talk to the S3 emulator started by moto-global-setup.ts (moto, or
 * LocalStack when `AWS_ENDPOINT_URL` was set): endpoint, client and throwaway buckets.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client, S3ObjectStore } from '../../lib/object-store/s3.ts';
import { startS3FaultProxy, type S3FaultProxy } from '../../bench/chaos/s3-fault-proxy.ts';

/**
 * Points this worker at the emulator: sets `AWS_ENDPOINT_URL` and fake credentials (only where
 * unset) and returns the endpoint. Call it at the top of a test file or in `beforeAll`.
 *
 * @example
 * const endpoint = useAwsEndpoint(); // 'http://127.0.0.1:41234'
 */
export function useAwsEndpoint(): string {
  const endpoint = inject('awsEndpoint');
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';
  return endpoint;
}

/**
 * An S3 client for the emulator, built the way production builds it (`createS3Client`).
 *
 * @example
 * const s3 = s3ClientForTests();
 * await s3.send(new ListBucketsCommand({}));
 */
export function s3ClientForTests(): S3Client {
  useAwsEndpoint();
  return createS3Client();
}

/**
 * Creates a bucket with a unique name (`<prefix>-<random>`, valid for S3 naming rules) and
 * returns its name. Buckets are not cleaned up: the emulator lives only for the run.
 *
 * @example
 * const bucket = await createTestBucket({ prefix: 'lake', versioning: true });
 */
export async function createTestBucket(
  options: { prefix?: string; versioning?: boolean; client?: S3Client } = {},
): Promise<string> {
  const client = options.client ?? s3ClientForTests();
  const prefix = (options.prefix ?? 'test').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30);
  const bucket = `${prefix}-${randomUUID().slice(0, 18)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioning) {
    await client.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  return bucket;
}

/** One fresh bucket seen two ways: through the S3 fault proxy (faults injected) and directly (the truth). */
export interface FaultProxiedLake {
  proxy: S3FaultProxy;
  /** The lake (prefix `lake`) through the proxy. */
  store: S3ObjectStore;
  /** The same lake, straight to the emulator. */
  direct: S3ObjectStore;
}

/**
 * Starts the fault proxy (bench/chaos/s3-fault-proxy.ts) in front of the emulator and a bucket
 * behind it. The caller closes the proxy.
 * @example const { proxy, store, direct } = await faultProxiedLake({ prefix: 'lease-lost' });
 */
export async function faultProxiedLake(options: { prefix: string; versioning?: boolean }): Promise<FaultProxiedLake> {
  const endpoint = useAwsEndpoint();
  const proxy = await startS3FaultProxy({ target: endpoint });
  const bucket = await createTestBucket({ prefix: options.prefix, ...(options.versioning ? { versioning: true } : {}) });
  const proxied = createS3Client({ ...process.env, AWS_ENDPOINT_URL: proxy.url, AWS_ENDPOINT_URL_S3: proxy.url });
  return {
    proxy,
    store: new S3ObjectStore({ bucket, prefix: 'lake', client: proxied }),
    direct: new S3ObjectStore({ bucket, prefix: 'lake', client: s3ClientForTests() }),
  };
}
