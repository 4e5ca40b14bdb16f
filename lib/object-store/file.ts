/**
 * The local-folder object store: the embedded default, so candlelake runs with no AWS at all.
 *
 * Layout under the root folder:
 * - `<root>/<key>`: one file per object (`/` in keys become sub-folders).
 * - `<root>/.tmp/`: temp files for atomic writes (same filesystem as the objects, so `rename`
 *   and `link` are atomic) and `.tmp/locks/` for per-key write locks. Never listed.
 *
 * Writes mirror S3 semantics, including across processes sharing the folder:
 * - every write lands by `rename` (or `link`), so readers see the old bytes or the new ones;
 * - every mutation of a key (put, conditional put, delete) holds that key's lock file, so a
 *   compare-and-swap cannot interleave with another writer between its compare and its swap;
 * - create-exclusive (`ifNoneMatch: '*'`) lands with `link`, which fails with EEXIST atomically.
 *
 * Etags are `"<md5 hex>"` of the content, like S3 single-part ETags, so both adapters agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PreconditionFailedError } from './errors.ts';
import type { GetResult, ObjectInfo, ObjectStore, PutOptions } from './types.ts';

/**
 * Options for {@link FileObjectStore}; every field has a default in {@link FILE_STORE_DEFAULTS}.
 * @example const store = new FileObjectStore('./lake', { fsync: false }); // scratch data, speed over durability
 */
export interface FileObjectStoreOptions {
  /** A lock older than this is taken to belong to a crashed writer and is broken. */
  staleLockMs?: number;
  /** How long a writer waits for a key's lock before giving up with an error. */
  lockTimeoutMs?: number;
  /** `fsync` each temp file before it lands, so a power cut cannot leave an empty object. */
  fsync?: boolean;
  /** How many files `list` stats and hashes at once. */
  listConcurrency?: number;
  /**
   * A temp file in `.tmp/` untouched for longer than this belongs to a writer that died before
   * landing it, and is removed when this store first writes.
   */
  staleTempMs?: number;
}

/**
 * Defaults merged with the caller's {@link FileObjectStoreOptions}.
 * @example new FileObjectStore(dir, { lockTimeoutMs: FILE_STORE_DEFAULTS.lockTimeoutMs * 2 });
 */
export const FILE_STORE_DEFAULTS: Required<FileObjectStoreOptions> = {
  // Locks are held for one rename; 30 s only trips on a writer that died holding one.
  staleLockMs: 30_000,
  lockTimeoutMs: 15_000,
  fsync: true,
  listConcurrency: 32,
  // A live writer's temp file lives for one write plus at most one lock wait (seconds), so an
  // hour-old one is certainly abandoned, whatever another process sharing the folder is doing.
  staleTempMs: 3_600_000,
};

/** The reserved folder for temp and lock files; no key may start with it. */
const TMP_DIR = '.tmp';

/** Cache of etags by file identity, so `list` over an unchanged lake does not re-hash it. */
interface EtagCacheEntry {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  etag: string;
}

/**
 * An {@link ObjectStore} over a local folder; safe for several processes sharing that folder.
 *
 * Keys cannot be both an object and a folder: with `a/b` stored, a put to `a` fails (and the
 * other way round), which S3 would allow. candlelake's key layout never does this.
 *
 * @example
 * const store = new FileObjectStore('./lake');
 * await store.put('candles/BTC-USDT/1h/2024.json', JSON.stringify(rows));
 * const got = await store.get('candles/BTC-USDT/1h/2024.json'); // { body, etag: '"9e10…"' }
 */
export class FileObjectStore implements ObjectStore {
  readonly url: string;
  /** Absolute path of the root folder. */
  readonly rootDir: string;
  private readonly options: Required<FileObjectStoreOptions>;
  private readonly tmpDir: string;
  private readonly lockDir: string;
  private readonly etagCache = new Map<string, EtagCacheEntry>();
  /** The sweep of abandoned temp files, started by the first write of this store. */
  private tempSweep: Promise<number> | undefined;

  constructor(rootDir: string, options: FileObjectStoreOptions = {}) {
    this.rootDir = path.resolve(rootDir);
    this.url = pathToFileURL(this.rootDir).href;
    this.options = { ...FILE_STORE_DEFAULTS, ...options };
    this.tmpDir = path.join(this.rootDir, TMP_DIR);
    this.lockDir = path.join(this.tmpDir, 'locks');
  }

  async get(key: string): Promise<GetResult | undefined> {
    const body = await readIfFile(this.pathOf(key));
    if (body === undefined) return undefined;
    return { body, etag: etagOf(body) };
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const target = this.pathOf(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const etag = etagOf(bytes);
    const temp = await this.writeTemp(bytes);
    try {
      await this.withKeyLock(key, async () => {
        if (options.ifMatch !== undefined) {
          // Under the lock nobody else can change the key, so compare-then-rename is a CAS.
          const stats = await statIfFile(target);
          const current = stats && (await this.cachedEtag(target, stats));
          if (current === undefined || stripQuotes(current) !== stripQuotes(options.ifMatch)) {
            throw new PreconditionFailedError(key, 'ifMatch');
          }
        }
        await this.land(temp, target, key, options.ifNoneMatch === '*');
      });
    } finally {
      await fs.rm(temp, { force: true });
    }
    return { etag };
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk only the deepest folder the prefix names ("a/b/c" → folder "a/b", names starting "c").
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await this.walk(dirKey, keys);
    const matching = keys.filter((key) => key.startsWith(prefix));
    // S3 lists in UTF-8 byte order; JS string order differs above the BMP, so compare bytes.
    matching.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const infos = await mapLimit(matching, this.options.listConcurrency, (key) => this.head(key));
    // A key deleted mid-listing drops out rather than failing the whole listing.
    return infos.filter((info): info is ObjectInfo => info !== undefined);
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    await this.withKeyLock(key, async () => {
      try {
        await fs.unlink(target);
      } catch (error) {
        if (isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM')) return;
        throw error;
      }
    });
    this.etagCache.delete(target);
    await this.pruneEmptyParents(path.dirname(target));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    const stats = await statIfFile(file);
    if (stats === undefined) return undefined;
    const etag = await this.cachedEtag(file, stats);
    if (etag === undefined) return undefined;
    return { key, sizeBytes: Number(stats.size), etag, lastModified: stats.mtime };
  }

  async download(key: string, localPath: string): Promise<boolean> {
    const destination = path.resolve(localPath);
    await fs.mkdir(path.dirname(destination), { recursive: true });
    // The temp file sits beside the destination so the final rename stays on one filesystem.
    const temp = `${destination}.${randomUUID()}.tmp`;
    try {
      // copyFile opens the source once, so a concurrent put (a rename) cannot tear the copy.
      await fs.copyFile(this.pathOf(key), temp);
      await fs.rename(temp, destination);
      return true;
    } catch (error) {
      await fs.rm(temp, { force: true });
      if (isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return false;
      throw error;
    }
  }

  /** Maps a key to its file, rejecting keys that would escape the root or hit reserved files. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (
      key === '' ||
      key.includes('\\') ||
      key.includes('\0') ||
      segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
      segments[0] === TMP_DIR
    ) {
      throw new RangeError(`invalid object key "${key}": use non-empty "/"-separated segments, no "." or "..", not under "${TMP_DIR}/"`);
    }
    return path.join(this.rootDir, ...segments);
  }

  /**
   * Removes temp files of writers killed before they landed them (a killed process runs no
   * cleanup), once per store, on its first write. Returns how many it removed.
   */
  sweepStaleTempFiles(): Promise<number> {
    this.tempSweep ??= removeStaleTempFiles(this.tmpDir, this.options.staleTempMs);
    return this.tempSweep;
  }

  private async writeTemp(bytes: Uint8Array): Promise<string> {
    await this.sweepStaleTempFiles();
    await fs.mkdir(this.tmpDir, { recursive: true });
    const temp = path.join(this.tmpDir, `${randomUUID()}.tmp`);
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      if (this.options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  /**
   * Moves the finished temp file to its key. A concurrent delete may prune the parent folder
   * between our mkdir and the rename, hence the retry on ENOENT.
   */
  private async land(temp: string, target: string, key: string, exclusive: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await fs.mkdir(path.dirname(target), { recursive: true });
      try {
        if (exclusive) {
          await linkOrRenameIfAbsent(temp, target);
        } else {
          await fs.rename(temp, target);
        }
        return;
      } catch (error) {
        if (exclusive && isCode(error, 'EEXIST')) throw new PreconditionFailedError(key, 'ifNoneMatch');
        if (isCode(error, 'ENOENT') && attempt < 5) continue;
        throw error;
      }
    }
  }

  /**
   * Runs `fn` holding the key's lock file, taken with `open(…, 'wx')` so it is exclusive across
   * processes. Locks of dead writers (same host, pid gone) or older than `staleLockMs` are broken.
   */
  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockFile = path.join(this.lockDir, `${createHash('md5').update(key).digest('hex')}.lock`);
    await this.acquireLock(lockFile);
    try {
      return await fn();
    } finally {
      await fs.rm(lockFile, { force: true });
    }
  }

  private async acquireLock(lockFile: string): Promise<void> {
    const deadline = Date.now() + this.options.lockTimeoutMs;
    const owner = `${process.pid}@${hostname()} ${randomUUID()}`;
    for (let attempt = 0; ; attempt++) {
      if (await tryCreateExclusive(lockFile, owner, this.lockDir)) return;
      if (await this.breakIfStale(lockFile)) continue;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${this.options.lockTimeoutMs} ms waiting for lock ${lockFile}`);
      }
      // Short, jittered back-off: locks are held for one rename, so most waits are a few ms.
      await sleep(Math.min(50, 1 + attempt * 2) * (0.5 + Math.random()));
    }
  }

  /**
   * Removes a lock whose holder is gone. Two waiters could both judge the same lock stale and
   * the slower one would then delete the faster one's fresh lock, so breaking is itself done
   * under a `.break` lock and only if the lock still holds what was judged stale.
   */
  private async breakIfStale(lockFile: string): Promise<boolean> {
    const seen = await readLock(lockFile);
    if (seen === undefined) return true; // Released meanwhile: retry at once.
    if (!this.isStale(seen)) return false;
    const breaker = `${lockFile}.break`;
    if (!(await tryCreateExclusive(breaker, String(process.pid), this.lockDir))) {
      // Another waiter is breaking it; a breaker left by a crash is itself stale after a while.
      const breakerLock = await readLock(breaker);
      if (breakerLock !== undefined && Date.now() - breakerLock.mtimeMs > this.options.staleLockMs) {
        await fs.rm(breaker, { force: true });
      }
      return false;
    }
    try {
      const now = await readLock(lockFile);
      if (now !== undefined && now.content === seen.content) await fs.rm(lockFile, { force: true });
      return true;
    } finally {
      await fs.rm(breaker, { force: true });
    }
  }

  private isStale(lock: { content: string; mtimeMs: number }): boolean {
    if (Date.now() - lock.mtimeMs > this.options.staleLockMs) return true;
    const match = /^(\d+)@(\S+) /.exec(lock.content);
    if (match === null || match[2] !== hostname()) return false;
    return !isProcessAlive(Number(match[1]));
  }

  private async cachedEtag(file: string, stats: BigIntStats): Promise<string | undefined> {
    const cached = this.etagCache.get(file);
    // Every put lands a new inode by rename/link, so inode + size + mtime identifies the content.
    if (cached && cached.ino === stats.ino && cached.size === stats.size && cached.mtimeNs === stats.mtimeNs) {
      return cached.etag;
    }
    const etag = await hashFile(file);
    if (etag === undefined) return undefined;
    this.etagCache.set(file, { ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, etag });
    return etag;
  }

  private async walk(dirKey: string, into: string[]): Promise<void> {
    const dir = dirKey === '' ? this.rootDir : path.join(this.rootDir, ...dirKey.split('/'));
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (dirKey === '' && entry.name === TMP_DIR) continue;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  /** Removes folders left empty by a delete, stopping at the first non-empty one or the root. */
  private async pruneEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current !== this.rootDir && current.startsWith(this.rootDir + path.sep)) {
      try {
        await fs.rmdir(current);
      } catch {
        // ENOTEMPTY (a sibling or a concurrent put), ENOENT (pruned by another delete): done.
        return;
      }
      current = path.dirname(current);
    }
  }
}

/** Deletes `*.tmp` files directly in `tmpDir` last modified more than `staleMs` ago; locks are left to the lock logic. */
async function removeStaleTempFiles(tmpDir: string, staleMs: number): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(tmpDir, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return 0;
    throw error;
  }
  const cutoffMs = Date.now() - staleMs;
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.tmp')) continue;
    const file = path.join(tmpDir, entry.name);
    try {
      if ((await fs.stat(file)).mtimeMs >= cutoffMs) continue;
      await fs.unlink(file);
      removed += 1;
    } catch (error) {
      // Landed or removed by its writer, or by another process's sweep, meanwhile.
      if (!isCode(error, 'ENOENT')) throw error;
    }
  }
  return removed;
}

/**
 * Lands `temp` at `target` only if `target` does not exist. `link` never replaces an existing
 * name, so it is the atomic create-exclusive primitive; on filesystems without hard links the
 * check-then-rename fallback is still safe because the caller holds the key's lock.
 */
async function linkOrRenameIfAbsent(temp: string, target: string): Promise<void> {
  try {
    await fs.link(temp, target);
  } catch (error) {
    if (!isCode(error, 'EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP')) throw error;
    if (await exists(target)) throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
    await fs.rename(temp, target);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/** `"<md5 hex>"`, the ETag S3 gives a single-part upload of the same bytes. */
function etagOf(bytes: Uint8Array): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^W\//, '').replaceAll('"', '');
}

async function hashFile(file: string): Promise<string | undefined> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'EISDIR')) return undefined;
    throw error;
  }
  return `"${hash.digest('hex')}"`;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    // A key that names a folder (a prefix of other keys) is not an object.
    if (isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return undefined;
    throw error;
  }
}

async function statIfFile(file: string): Promise<BigIntStats | undefined> {
  try {
    const stats = await fs.stat(file, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** Creates `file` only if it does not exist; false when someone else holds it. */
async function tryCreateExclusive(file: string, content: string, dir: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, content, { flag: 'wx' });
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      if (isCode(error, 'ENOENT') && attempt === 0) {
        await fs.mkdir(dir, { recursive: true });
        continue;
      }
      throw error;
    }
  }
}

async function readLock(file: string): Promise<{ content: string; mtimeMs: number } | undefined> {
  try {
    const [content, stats] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { content, mtimeMs: stats.mtimeMs };
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but owned by another user.
    return !isCode(error, 'ESRCH');
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
