/**
 * The object-store module: the port, both adapters, and `openObjectStore`, which turns the one
 * lake URL in the config (`file:///…`, a plain path, or `s3://bucket/prefix`) into a store.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { UnsupportedStoreUrlError } from './errors.ts';
import { FileObjectStore } from './file.ts';
import { S3ObjectStore } from './s3.ts';
import type { ObjectStore } from './types.ts';

export type { GetResult, ObjectInfo, ObjectStore, PutOptions } from './types.ts';
export { PreconditionFailedError, UnsupportedStoreUrlError } from './errors.ts';
export { FILE_STORE_DEFAULTS, FileObjectStore, type FileObjectStoreOptions } from './file.ts';
export { S3ObjectStore, createS3Client, type S3ObjectStoreOptions } from './s3.ts';

/**
 * Where a store URL points, before any store is built.
 * @example const location: StoreLocation = { kind: 's3', bucket: 'candlelake', prefix: 'lake' };
 */
export type StoreLocation =
  | { kind: 'file'; /** Absolute folder path. */ rootDir: string }
  | { kind: 's3'; bucket: string; /** `''` or without leading/trailing `/`. */ prefix: string };

// S3 bucket naming rules (3–63 chars, lowercase letters, digits, dots, hyphens); checking here
// turns a typo into an error at startup instead of an opaque SDK failure at the first write.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Parses a store URL without touching the filesystem or the network.
 * Relative paths resolve against the current directory.
 *
 * @example
 * parseStoreUrl('s3://candlelake/lake/'); // { kind: 's3', bucket: 'candlelake', prefix: 'lake' }
 * parseStoreUrl('./lake');               // { kind: 'file', rootDir: '/home/me/candlelake/lake' }
 * parseStoreUrl('file://./lake');        // the same folder
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (trimmed === '') throw new UnsupportedStoreUrlError(url);
  if (/^s3:\/\//i.test(trimmed)) {
    const rest = trimmed.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw new UnsupportedStoreUrlError(url);
    return { kind: 's3', bucket, prefix };
  }
  // `file://./lake` and `file://../lake`: a relative folder, as the default lake is written.
  const relative = /^file:\/\/(\.\.?\/.*)$/i.exec(trimmed);
  if (relative) return { kind: 'file', rootDir: path.resolve(relative[1]!) };
  if (/^file:/i.test(trimmed)) {
    try {
      // Handles percent-encoding, and rejects remote hosts (file://server/share) on POSIX.
      return { kind: 'file', rootDir: path.resolve(fileURLToPath(trimmed)) };
    } catch {
      throw new UnsupportedStoreUrlError(url);
    }
  }
  if (HAS_SCHEME.test(trimmed)) throw new UnsupportedStoreUrlError(url);
  return { kind: 'file', rootDir: path.resolve(trimmed) };
}

/**
 * Opens the store a URL names. `s3Client` replaces the shared client built from the environment
 * (tests pass one pointed at moto).
 *
 * @example
 * const lake = openObjectStore(process.env.CANDLELAKE_LAKE_URL ?? './lake');
 * const state = await lake.get('state/last-run.json');
 */
export function openObjectStore(url: string, options: { s3Client?: S3Client } = {}): ObjectStore {
  const location = parseStoreUrl(url);
  if (location.kind === 'file') return new FileObjectStore(location.rootDir);
  return new S3ObjectStore({ bucket: location.bucket, prefix: location.prefix, client: options.s3Client });
}
