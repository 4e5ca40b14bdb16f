/**
 * S3 lakes for the chaos scenarios: fresh buckets on the emulator, one client through the fault
 * proxy (built the way production builds it, `createS3Client`, so path-style addressing and
 * checksum settings are production's) and one straight to the emulator, for setup and for
 * checking what is really stored.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3ObjectStore } from '../../lib/object-store/index.ts';

/** SDK-level retries a client made (attempts beyond the first), counted from each call's metadata. */
export interface RetryCounter {
  retries: number;
  failedCalls: number;
}

/**
 * A production-built client for `endpoint` that also counts the SDK's own retries: the evidence
 * that an injected fault was detected (classified transient) rather than silently absorbed.
 */
export function countingS3Client(endpoint: string): { client: S3Client; counter: RetryCounter } {
  const client = createS3Client({ ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_S3: endpoint });
  const counter: RetryCounter = { retries: 0, failedCalls: 0 };
  const attemptsOf = (value: unknown) => ((value as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        counter.retries += attemptsOf(result.output) - 1;
        return result;
      } catch (error) {
        counter.retries += attemptsOf(error) - 1;
        counter.failedCalls += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'chaosRetryCounter' },
  );
  return { client, counter };
}

export interface S3Lake {
  bucket: string;
  prefix: string;
  url: string;
  /** Through the fault proxy: what the job under test uses. */
  store: S3ObjectStore;
  /** Straight to the emulator: what the checks read. */
  direct: S3ObjectStore;
}

/**
 * A versioned bucket with a fresh prefix, seen through `client` and `directClient`.
 * @example const lake = await createS3Lake('lake', proxied, direct);
 */
export async function createS3Lake(name: string, client: S3Client, directClient: S3Client): Promise<S3Lake> {
  const bucket = `chaos-${name}-${randomUUID().slice(0, 12)}`.toLowerCase();
  await directClient.send(new CreateBucketCommand({ Bucket: bucket }));
  await directClient.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const prefix = name;
  return {
    bucket,
    prefix,
    url: `s3://${bucket}/${prefix}`,
    store: new S3ObjectStore({ bucket, prefix, client }),
    direct: new S3ObjectStore({ bucket, prefix, client: directClient }),
  };
}
