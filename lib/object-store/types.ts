/**
 * The object-store port: the only way candlelake touches stored bytes.
 * Two adapters implement it — a local folder (`file://`) and S3 — so every job runs
 * the same with or without AWS.
 */

/** One stored object as a listing reports it. */
export interface ObjectInfo {
  /** Key relative to the store's root prefix, `/`-separated, never starting with `/`. */
  key: string;
  sizeBytes: number;
  /** Opaque version tag: changes whenever the content changes (S3 ETag, or a content hash locally). */
  etag: string;
  lastModified: Date;
}

/** Preconditions for a write, mirroring S3 conditional writes. */
export interface PutOptions {
  /** `'*'`: write only if no object exists at the key (create-exclusive). */
  ifNoneMatch?: '*';
  /** Write only if the current object's etag equals this one (compare-and-swap). */
  ifMatch?: string;
  contentType?: string;
}

export interface GetResult {
  body: Uint8Array;
  etag: string;
}

/**
 * A flat key/value object store. Every `put` is atomic: a reader sees the old object or
 * the new one, never a partial one.
 */
export interface ObjectStore {
  /** Where this store points, e.g. `file:///data/lake` or `s3://bucket/prefix`. */
  readonly url: string;
  /** Returns `undefined` when the key does not exist. */
  get(key: string): Promise<GetResult | undefined>;
  /** Writes atomically; throws {@link PreconditionFailedError} when a condition does not hold. Returns the new etag. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>;
  /** Every object whose key starts with `prefix`, in key order; pages are followed internally. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes the key; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Metadata without the body; `undefined` when missing. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Copies the object to a local file path (atomic at the destination). Returns false when missing.
   * Lets DuckDB read the lake from a local cache without an httpfs extension.
   */
  download(key: string, localPath: string): Promise<boolean>;
}

/** One stored version of a key (or a delete marker) in a versioned store, as {@link VersionedObjectStore.listVersions} reports it. */
export interface ObjectVersion {
  /** Key relative to the store's root prefix, like {@link ObjectInfo.key}. */
  key: string;
  /** The store's version id (S3: an opaque string; `'null'` for objects written before versioning was enabled). */
  versionId: string;
  /** When this version was written (S3: one-second resolution). */
  lastModified: Date;
  /** Whether this is the key's current version (a current delete marker means the key is deleted). */
  isLatest: boolean;
  /** A delete marker: the key was deleted at `lastModified`; it has no body. */
  isDeleteMarker: boolean;
  /** 0 for delete markers. */
  sizeBytes: number;
  /** `''` for delete markers. */
  etag: string;
}

/**
 * An optional capability of a store that keeps every version of its objects (S3 with bucket
 * versioning). The local folder does not implement it; check with {@link isVersioned}.
 */
export interface VersionedObjectStore extends ObjectStore {
  /**
   * Every version and delete marker of every key starting with `prefix`, in key order and, per
   * key, newest first (pages are followed internally).
   */
  listVersions(prefix: string): Promise<ObjectVersion[]>;
  /** The bytes of one version; `undefined` when that version (or key) does not exist or is a delete marker. */
  getVersion(key: string, versionId: string): Promise<GetResult | undefined>;
}

/**
 * Whether `store` offers the versioning capability (it says nothing about whether the bucket
 * behind it has versioning switched on).
 * @example if (isVersioned(lake)) { const versions = await lake.listVersions('runs/'); }
 */
export function isVersioned(store: ObjectStore): store is VersionedObjectStore {
  const candidate = store as Partial<VersionedObjectStore>;
  return typeof candidate.listVersions === 'function' && typeof candidate.getVersion === 'function';
}
