/**
 * The S3 object store: the same port as the local folder, over one bucket and key prefix.
 * Works against AWS, LocalStack and moto alike; `createS3Client` reads the endpoint from the
 * environment so the emulators need no code path of their own.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { PreconditionFailedError } from './errors.ts';
import type { GetResult, ObjectInfo, ObjectStore, PutOptions } from './types.ts';

/**
 * Where an {@link S3ObjectStore} points, and optionally the client to reach it with.
 * @example const options: S3ObjectStoreOptions = { bucket: 'candlelake', prefix: 'lake/' };
 */
export interface S3ObjectStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, with or without a trailing `/`; `''` for the whole bucket. */
  prefix?: string;
  /** Defaults to one shared client built by {@link createS3Client} on first use. */
  client?: S3Client;
}

/**
 * Builds an S3 client from the environment: region from `AWS_REGION` / `AWS_DEFAULT_REGION`
 * (default `us-east-1`), and for emulators `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` with
 * path-style addressing (emulators do not serve `bucket.localhost` host names).
 *
 * @example
 * process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000'; // moto
 * const client = createS3Client();
 */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const config: S3ClientConfig = {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // SDK ≥ 3.729 adds CRC32 checksum trailers to every upload by default; moto and older
    // LocalStack reject or mis-store them. Only send checksums where S3 demands them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  return new S3Client(config);
}

// Built once per process (a warm Lambda reuses it), and only when a store needs it.
let sharedClient: S3Client | undefined;
function defaultClient(): S3Client {
  sharedClient ??= createS3Client();
  return sharedClient;
}

/**
 * An {@link ObjectStore} over `s3://bucket/prefix`. Keys given to it are relative to the prefix.
 *
 * @example
 * const store = new S3ObjectStore({ bucket: 'candlelake-prod', prefix: 'lake' });
 * await store.put('state/lease.json', '{}', { ifNoneMatch: '*' }); // s3://candlelake-prod/lake/state/lease.json
 */
export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  /** The normalised prefix: `''` or ending in `/`. */
  readonly prefix: string;
  private readonly explicitClient: S3Client | undefined;

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket) throw new RangeError('S3ObjectStore needs a bucket name');
    this.bucket = options.bucket;
    const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
    this.url = `s3://${this.bucket}/${this.prefix}`;
    this.explicitClient = options.client;
  }

  private get client(): S3Client {
    return this.explicitClient ?? defaultClient();
  }

  async get(key: string): Promise<GetResult | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: response.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          Body: body,
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
      );
      return { etag: response.ETag ?? '' };
    } catch (error) {
      const condition = options.ifMatch !== undefined ? 'ifMatch' : options.ifNoneMatch !== undefined ? 'ifNoneMatch' : undefined;
      if (condition !== undefined && isConditionFailure(error, condition)) {
        throw new PreconditionFailedError(key, condition);
      }
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({
          key: object.Key.slice(this.prefix.length),
          sizeBytes: object.Size ?? 0,
          etag: object.ETag ?? '',
          lastModified: object.LastModified ?? new Date(0),
        });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return objects;
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a missing key too, so there is nothing to special-case.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return {
        key,
        sizeBytes: response.ContentLength ?? 0,
        etag: response.ETag ?? '',
        lastModified: response.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async download(key: string, localPath: string): Promise<boolean> {
    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    const destination = path.resolve(localPath);
    await fs.mkdir(path.dirname(destination), { recursive: true });
    // Beside the destination, so the rename stays on one filesystem and is atomic.
    const temp = `${destination}.${randomUUID()}.tmp`;
    try {
      const body = response.Body;
      if (body === undefined) {
        await fs.writeFile(temp, new Uint8Array());
      } else {
        // In Node the SDK's body is an IncomingMessage; other runtimes give a web stream.
        const source = body instanceof Readable ? body : Readable.fromWeb(body.transformToWebStream() as never);
        await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
      }
      await fs.rename(temp, destination);
      return true;
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }

  private keyOf(key: string): string {
    if (key === '' || key.startsWith('/')) {
      throw new RangeError(`invalid object key "${key}": must be non-empty and not start with "/"`);
    }
    return this.prefix + key;
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || statusOf(error) === 404;
}

/**
 * Whether a failed conditional put lost its condition (rather than hitting an outage):
 * 412 PreconditionFailed, 409 ConditionalRequestConflict (a concurrent conditional write),
 * or for `ifMatch` a 404 — S3 answers NoSuchKey when the object to compare with is gone.
 */
function isConditionFailure(error: unknown, condition: 'ifNoneMatch' | 'ifMatch'): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  const status = statusOf(error);
  if (error.name === 'PreconditionFailed' || status === 412) return true;
  if (error.name === 'ConditionalRequestConflict' || status === 409) return true;
  return condition === 'ifMatch' && isNotFound(error);
}
