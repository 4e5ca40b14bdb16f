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
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import pRetry from 'p-retry';
import { PreconditionFailedError } from './errors.ts';
import type { GetResult, ObjectInfo, ObjectVersion, PutOptions, VersionedObjectStore } from './types.ts';

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
export class S3ObjectStore implements VersionedObjectStore {
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
    return this.getBytes({ Bucket: this.bucket, Key: this.keyOf(key) }, isNotFound);
  }

  /**
   * One GetObject and its whole body, retried as a unit: the SDK retries only until the headers
   * arrive, so a connection that dies while the body streams would otherwise fail the caller.
   */
  private getBytes(input: GetObjectCommandInput, isMissing: (error: unknown) => boolean): Promise<GetResult | undefined> {
    return retryTransientReads(async () => {
      const response = await this.sendGet(input, isMissing);
      if (response === undefined) return undefined;
      const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      assertWholeBody(input.Key ?? '', body.byteLength, response.ContentLength);
      return { body, etag: response.ETag ?? '' };
    });
  }

  private async sendGet(input: GetObjectCommandInput, isMissing: (error: unknown) => boolean): Promise<GetObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new GetObjectCommand(input));
    } catch (error) {
      if (isMissing(error)) return undefined;
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
    const destination = path.resolve(localPath);
    const input = { Bucket: this.bucket, Key: this.keyOf(key) };
    return retryTransientReads(async () => {
      const response = await this.sendGet(input, isNotFound);
      if (response === undefined) return false;
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
        assertWholeBody(input.Key, (await fs.stat(temp)).size, response.ContentLength);
        await fs.rename(temp, destination);
        return true;
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error;
      }
    });
  }

  /**
   * Every version and delete marker under `prefix` (relative to the store prefix), in key order
   * and, per key, newest first. On a bucket that never had versioning on, each key has one
   * version with id `'null'`.
   */
  async listVersions(prefix: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const command = new ListObjectVersionsCommand({
        Bucket: this.bucket,
        Prefix: this.prefix + prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      });
      const order = recordEntryOrder(command);
      const page = await this.client.send(command);
      const pageVersions: ObjectVersion[] = [];
      for (const v of page.Versions ?? []) {
        pageVersions.push({
          key: (v.Key ?? '').slice(this.prefix.length),
          versionId: v.VersionId ?? 'null',
          lastModified: v.LastModified ?? new Date(0),
          isLatest: v.IsLatest ?? false,
          isDeleteMarker: false,
          sizeBytes: v.Size ?? 0,
          etag: v.ETag ?? '',
        });
      }
      const pageMarkers: ObjectVersion[] = [];
      for (const m of page.DeleteMarkers ?? []) {
        pageMarkers.push({
          key: (m.Key ?? '').slice(this.prefix.length),
          versionId: m.VersionId ?? 'null',
          lastModified: m.LastModified ?? new Date(0),
          isLatest: m.IsLatest ?? false,
          isDeleteMarker: true,
          sizeBytes: 0,
          etag: '',
        });
      }
      versions.push(...mergeInListingOrder(pageVersions, pageMarkers, order.elements));
      if (page.IsTruncated) {
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      } else {
        keyMarker = undefined;
      }
    } while (keyMarker !== undefined);
    return versions;
  }

  /** One version's bytes; `undefined` for a missing key or version, or a delete marker. */
  async getVersion(key: string, versionId: string): Promise<GetResult | undefined> {
    return this.getBytes(
      { Bucket: this.bucket, Key: this.keyOf(key), VersionId: versionId },
      // S3 answers 405 MethodNotAllowed for a GET of a delete marker's version id.
      (error) => isNotFound(error) || (error instanceof S3ServiceException && (error.name === 'NoSuchVersion' || statusOf(error) === 405)),
    );
  }

  private keyOf(key: string): string {
    if (key === '' || key.startsWith('/')) {
      throw new RangeError(`invalid object key "${key}": must be non-empty and not start with "/"`);
    }
    return this.prefix + key;
  }
}

/**
 * S3 lists a key's versions and delete markers interleaved, newest first, but the SDK parses them
 * into two separate lists. `lastModified` has one-second resolution, so it cannot say whether a
 * delete marker came before or after a version written in the same second. This records the
 * order of `<Version>` and `<DeleteMarker>` elements in the raw response (read just before the
 * SDK parses it; the bytes are handed on unchanged) so {@link mergeInListingOrder} can rebuild it.
 */
function recordEntryOrder(command: ListObjectVersionsCommand): { elements: Array<'Version' | 'DeleteMarker'> | undefined } {
  const recorded: { elements: Array<'Version' | 'DeleteMarker'> | undefined } = { elements: undefined };
  type RawHandler = (args: object) => Promise<{ output: object; response: unknown }>;
  const middleware = (next: RawHandler): RawHandler => async (args) => {
    const result = await next(args);
    const response = result.response as { body?: unknown } | undefined;
    const body = response?.body;
    if (response !== undefined && body !== undefined && (body instanceof Uint8Array || isAsyncIterable(body))) {
      const bytes = body instanceof Uint8Array ? body : await collectBytes(body);
      response.body = bytes; // the SDK's parser takes a byte array as is
      const xml = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      // Keys and other text are XML-escaped, so a literal `<Version>` is always an element.
      recorded.elements = [...xml.matchAll(/<(Version|DeleteMarker)>/g)].map((m) => m[1] as 'Version' | 'DeleteMarker');
    }
    return result;
  };
  command.middlewareStack.addRelativeTo(middleware as Parameters<typeof command.middlewareStack.addRelativeTo>[0], {
    relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'candlelakeVersionOrder',
  });
  return recorded;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

async function collectBytes(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * One page's versions and delete markers in listing order: as the raw response had them, when
 * that order was recorded and is plausible (keys in order, each key's entries together, newest
 * first, the current one first). Otherwise — moto, for one, writes all versions before all delete
 * markers — by key and time, the current entry first within a second.
 */
function mergeInListingOrder(
  versions: readonly ObjectVersion[],
  markers: readonly ObjectVersion[],
  elements: ReadonlyArray<'Version' | 'DeleteMarker'> | undefined,
): ObjectVersion[] {
  if (elements !== undefined && elements.length === versions.length + markers.length) {
    const queues = { Version: [...versions].reverse(), DeleteMarker: [...markers].reverse() };
    const merged: ObjectVersion[] = [];
    for (const element of elements) {
      const next = queues[element].pop();
      if (next === undefined) break;
      merged.push(next);
    }
    if (merged.length === elements.length && isListingOrder(merged)) return merged;
  }
  return [...versions, ...markers].sort(newestFirstPerKey);
}

function isListingOrder(entries: readonly ObjectVersion[]): boolean {
  for (let i = 1; i < entries.length; i += 1) {
    const previous = entries[i - 1]!;
    const entry = entries[i]!;
    const byKey = compareKeys(previous.key, entry.key);
    if (byKey > 0) return false;
    if (byKey === 0 && (entry.isLatest || entry.lastModified.getTime() > previous.lastModified.getTime())) return false;
  }
  return true;
}

/** S3's key order: by UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Orders versions by key, then newest first; versions of one key written within the same second
 * keep their listing order, except that the current one (`isLatest`) always comes first.
 */
function newestFirstPerKey(a: ObjectVersion, b: ObjectVersion): number {
  if (a.key !== b.key) return compareKeys(a.key, b.key);
  const byTime = b.lastModified.getTime() - a.lastModified.getTime();
  if (byTime !== 0) return byTime;
  return Number(b.isLatest) - Number(a.isLatest);
}

/** A body that ended short of its Content-Length without the stream reporting an error. */
export class TruncatedBodyError extends Error {
  override readonly name = 'TruncatedBodyError';
  constructor(readonly key: string, readonly received: number, readonly expected: number) {
    super(`GetObject ${key}: body ended after ${received} of ${expected} bytes`);
  }
}

function assertWholeBody(key: string, received: number, expected: number | undefined): void {
  if (expected !== undefined && received !== expected) throw new TruncatedBodyError(key, received, expected);
}

/** Attempts of a GetObject + body read in all; each attempt's request gets the SDK's own retries too. */
export const READ_ATTEMPTS = 3;

// Node's names for a connection that died mid-response (IncomingMessage 'aborted', stream.pipeline, undici).
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/**
 * Whether a failed read is worth repeating: the connection broke, not S3 saying no. Service errors
 * (NoSuchKey, 403, and 5xx the SDK already retried) are S3's final answer and are not repeated.
 */
export function isTransientReadError(error: unknown): boolean {
  if (error instanceof TruncatedBodyError) return true;
  if (!(error instanceof Error) || error instanceof S3ServiceException) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return /\baborted\b|premature close|socket hang up/i.test(error.message);
}

function retryTransientReads<T>(read: () => Promise<T>): Promise<T> {
  return pRetry(read, {
    retries: READ_ATTEMPTS - 1,
    minTimeout: 100,
    maxTimeout: 1_000,
    shouldRetry: (error) => isTransientReadError(error),
  });
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
