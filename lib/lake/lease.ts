/**
 * A lease on a job, held as one small object written with S3 conditional writes: the first
 * writer wins (`If-None-Match: *`), a stale lease is taken over with compare-and-swap
 * (`If-Match`). Two runs of one job therefore never write at once, on S3 or in a folder.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { PreconditionFailedError } from '../object-store/errors.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { Clock } from '../clock/index.ts';
import { leaseKey } from './keys.ts';

/** Who holds a lease, as stored in the lease object. */
export interface LeaseHolder {
  name: string;
  runId: string;
  host: string;
  pid: number;
  acquiredAtMs: number;
  expiresAtMs: number;
  /**
   * Unique to one `acquireLease` call. A run id alone cannot prove ownership (callers may pass
   * their own, e.g. `runBackup`'s `input.runId`, and two processes could reuse one); this token is
   * what a run recognises as its own write when an answer was lost and the SDK's retry meets the
   * object it wrote. Absent in leases written before it existed, which then never match.
   */
  token?: string;
}

export type LeaseAttempt =
  | { acquired: true; lease: Lease; tookOverFrom?: LeaseHolder }
  | { acquired: false; holder: LeaseHolder };

export interface LeaseOptions {
  name: string;
  runId: string;
  ttlMs: number;
  clock: Clock;
  /** Is a process on this host alive? Replaceable for tests. */
  isProcessAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lease is abandoned once it expired, or at once when its holder ran on this host and its
 * process is gone (a killed local run need not wait out the TTL).
 */
export function isLeaseStale(holder: LeaseHolder, nowMs: number, host: string, alive: (pid: number) => boolean): boolean {
  if (nowMs >= holder.expiresAtMs) return true;
  return holder.host === host && !alive(holder.pid);
}

/** A held lease: renew it while working, release it when done. */
export class Lease {
  private lost = false;

  constructor(
    private readonly store: ObjectStore,
    readonly holder: LeaseHolder,
    private etag: string,
    private readonly options: LeaseOptions,
  ) {}

  /** False once a renewal found someone else's lease in place. */
  get held(): boolean {
    return !this.lost;
  }

  /** Extends the expiry; marks the lease lost if another run took it over. */
  async renew(): Promise<boolean> {
    const now = this.options.clock.nowMs();
    const next: LeaseHolder = { ...this.holder, expiresAtMs: now + this.options.ttlMs };
    try {
      const { etag } = await this.store.put(leaseKey(this.holder.name), JSON.stringify(next), { ifMatch: this.etag });
      this.etag = etag;
      this.holder.expiresAtMs = next.expiresAtMs;
      return true;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // A lost answer makes the SDK resend the PUT, which then fails its If-Match against the
      // renewal it applied itself: that is still our lease, not a takeover.
      const current = await this.store.get(leaseKey(this.holder.name));
      const stored = current ? parseHolder(current.body) : undefined;
      if (current && stored && isOurs(stored, this.holder) && stored.expiresAtMs === next.expiresAtMs) {
        this.etag = current.etag;
        this.holder.expiresAtMs = next.expiresAtMs;
        return true;
      }
      this.lost = true;
      return false;
    }
  }

  /** Deletes the lease object if it is still ours. */
  async release(): Promise<void> {
    const current = await this.store.get(leaseKey(this.holder.name));
    if (!current || current.etag !== this.etag) return;
    await this.store.delete(leaseKey(this.holder.name));
  }
}

/** Whether `stored` was written by the same `acquireLease` call as `mine` (same token, same run). */
function isOurs(stored: LeaseHolder, mine: LeaseHolder): boolean {
  return mine.token !== undefined && stored.token === mine.token && stored.runId === mine.runId && stored.name === mine.name;
}

function parseHolder(body: Uint8Array): LeaseHolder | undefined {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as LeaseHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the named lease, or reports who holds it.
 * @example
 * const attempt = await acquireLease(store, { name: 'update', runId, ttlMs: 900_000, clock: systemClock });
 * if (!attempt.acquired) console.log(`held by ${attempt.holder.runId}`);
 */
export async function acquireLease(store: ObjectStore, options: LeaseOptions): Promise<LeaseAttempt> {
  const host = hostname();
  const alive = options.isProcessAlive ?? processAlive;
  const key = leaseKey(options.name);
  const token = randomUUID();
  // Whom our last takeover PUT replaced: if its answer was lost, the pass that finds our lease must still report it.
  let tookOverFrom: LeaseHolder | undefined;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const now = options.clock.nowMs();
    const mine: LeaseHolder = {
      name: options.name,
      runId: options.runId,
      host,
      pid: process.pid,
      acquiredAtMs: now,
      expiresAtMs: now + options.ttlMs,
      token,
    };
    try {
      const { etag } = await store.put(key, JSON.stringify(mine), { ifNoneMatch: '*' });
      return { acquired: true, lease: new Lease(store, mine, etag, options) };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    const current = await store.get(key);
    if (!current) continue; // released between our two calls: try again
    const holder = parseHolder(current.body);
    // Our own write whose answer was lost (the SDK's retry then failed its condition against it).
    if (holder && isOurs(holder, mine)) {
      return { acquired: true, lease: new Lease(store, holder, current.etag, options), ...(tookOverFrom ? { tookOverFrom } : {}) };
    }
    if (holder && !isLeaseStale(holder, now, host, alive)) return { acquired: false, holder };
    tookOverFrom = holder;
    try {
      const { etag } = await store.put(key, JSON.stringify(mine), { ifMatch: current.etag });
      return { acquired: true, lease: new Lease(store, mine, etag, options), ...(holder ? { tookOverFrom: holder } : {}) };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Another run took the stale lease first (or our answer was lost); look again.
    }
  }
  const current = await store.get(key);
  const holder = current ? parseHolder(current.body) : undefined;
  if (current && holder && holder.token === token && holder.runId === options.runId) {
    return { acquired: true, lease: new Lease(store, holder, current.etag, options), ...(tookOverFrom ? { tookOverFrom } : {}) };
  }
  if (holder) return { acquired: false, holder };
  throw new Error(`could not settle lease ${options.name} after 5 attempts`);
}
