/**
 * A local copy of the lake's Parquet objects for DuckDB, which reads local files here (its
 * httpfs extension cannot be installed offline). Only changed objects are downloaded; objects
 * gone from the lake are removed from the copy. The copy mirrors one listing whole: an object
 * deleted between listing and download (compaction) makes it list again rather than miss it.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FileObjectStore } from '../object-store/file.ts';
import type { ObjectStore } from '../object-store/types.ts';

export interface MirrorResult {
  /** Folder laid out like the lake, ready for DuckDB globs. */
  rootDir: string;
  downloaded: number;
  removed: number;
  bytesDownloaded: number;
}

/** How many listings a mirror tries when listed objects vanish before their download (a compaction swap). */
export const MIRROR_ATTEMPTS = 3;

/** A folder name for a store URL that stays stable across runs. */
function cacheFolderName(url: string): string {
  return url.replace(/^[a-z0-9]+:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The local copy's folder for `store`, or `undefined` for a `file://` lake (which needs none). */
export function mirrorFolder(store: ObjectStore, cacheDir: string): string | undefined {
  return store instanceof FileObjectStore ? undefined : resolve(cacheDir, cacheFolderName(store.url));
}

/**
 * Brings the local copy of `prefixes` up to date. A `file://` lake needs no copy: its own folder is returned.
 * @example const { rootDir } = await mirrorLake(store, '.cache/lake', ['exchange=']);
 */
export async function mirrorLake(store: ObjectStore, cacheDir: string, prefixes: readonly string[]): Promise<MirrorResult> {
  if (store instanceof FileObjectStore) return { rootDir: store.rootDir, downloaded: 0, removed: 0, bytesDownloaded: 0 };
  const rootDir = mirrorFolder(store, cacheDir)!;
  const indexPath = join(rootDir, '.mirror-index.json');
  // What the copy holds, key → etag; updated as objects arrive or go, so a retry skips them.
  const index = await readFile(indexPath, 'utf8')
    .then((text) => JSON.parse(text) as Record<string, string>)
    .catch(() => ({}) as Record<string, string>);
  const result: MirrorResult = { rootDir, downloaded: 0, removed: 0, bytesDownloaded: 0 };
  for (let attempt = 1; ; attempt += 1) {
    const listed = (await Promise.all(prefixes.map((p) => store.list(p)))).flat();
    const vanished: string[] = [];
    for (const object of listed) {
      if (index[object.key] === object.etag) continue;
      const path = join(rootDir, object.key);
      await mkdir(dirname(path), { recursive: true });
      if (await store.download(object.key, path)) {
        index[object.key] = object.etag;
        result.downloaded += 1;
        result.bytesDownloaded += object.sizeBytes;
      } else {
        vanished.push(object.key);
      }
    }
    const present = new Set(listed.map((o) => o.key));
    for (const key of Object.keys(index)) {
      if (present.has(key)) continue;
      await rm(join(rootDir, key), { force: true });
      delete index[key];
      result.removed += 1;
    }
    await mkdir(rootDir, { recursive: true });
    await writeFile(indexPath, JSON.stringify(index));
    if (vanished.length === 0) return result;
    // A listed object was deleted before its download: compaction swapped parts meanwhile. The
    // copy would miss candles (the compact part may be newer than the listing), so list again.
    if (attempt >= MIRROR_ATTEMPTS) throw new Error(`objects vanished while mirroring the lake, ${attempt} attempts: ${vanished.join(', ')}`);
  }
}
