/** Errors raised by object-store adapters, shared so callers can tell a lost race from an outage. */

/** A conditional write (`ifNoneMatch` / `ifMatch`) found the object in another state. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(readonly key: string, readonly condition: 'ifNoneMatch' | 'ifMatch') {
    super(`conditional write to ${key} failed (${condition})`);
  }
}

/** The lake URL is not one this build understands. */
export class UnsupportedStoreUrlError extends Error {
  override readonly name = 'UnsupportedStoreUrlError';
  constructor(readonly storeUrl: string) {
    super(`unsupported store URL "${storeUrl}": use file:///path, a plain path, or s3://bucket/prefix`);
  }
}
