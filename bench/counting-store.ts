/** An ObjectStore wrapper that counts calls per method: what S3 would bill as requests. */
import type { ObjectStore } from '../lib/object-store/types.ts';

export type StoreCall = 'get' | 'put' | 'list' | 'delete' | 'head' | 'download';

export function countingStore(inner: ObjectStore): ObjectStore & { counts: Record<StoreCall, number>; reset(): void } {
  const counts: Record<StoreCall, number> = { get: 0, put: 0, list: 0, delete: 0, head: 0, download: 0 };
  const count = <T>(call: StoreCall, result: Promise<T>) => {
    counts[call] += 1;
    return result;
  };
  return {
    url: inner.url,
    counts,
    reset: () => {
      for (const key of Object.keys(counts) as StoreCall[]) counts[key] = 0;
    },
    get: (key) => count('get', inner.get(key)),
    put: (key, body, options) => count('put', inner.put(key, body, options)),
    list: (prefix) => count('list', inner.list(prefix)),
    delete: (key) => count('delete', inner.delete(key)),
    head: (key) => count('head', inner.head(key)),
    download: (key, path) => count('download', inner.download(key, path)),
  };
}
