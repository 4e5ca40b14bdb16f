/**
 * One daemon per lake: a pid file (`<stateDir>/daemon-<lake hash>.pid`) created exclusively. A
 * second daemon on the same lake is refused with who holds it; a pid file left by a process that
 * is gone (or by another boot) is taken over.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What the pid file holds. */
export interface PidFileContent {
  pid: number;
  host: string;
  lake: string;
  startedAt: string;
}

/** Another live daemon holds the lake. */
export class DaemonAlreadyRunningError extends Error {
  constructor(readonly holder: PidFileContent, readonly path: string) {
    super(`another daemon is already running on ${holder.lake}: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} (${path}); stop it first (kill -TERM ${holder.pid})`);
    this.name = 'DaemonAlreadyRunningError';
  }
}

export interface PidLock {
  readonly path: string;
  /** Removes the pid file if it is still ours. */
  release(): void;
}

/**
 * The pid file's path for a lake: one per lake URL under the state directory.
 * @example pidFilePath('.candlelake', 'file:///data/lake') // '.candlelake/daemon-1f2e3d4c5b6a.pid'
 */
export function pidFilePath(stateDir: string, lakeUrl: string): string {
  return join(stateDir, `daemon-${createHash('sha256').update(lakeUrl).digest('hex').slice(0, 12)}.pid`);
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lake's pid file or throws {@link DaemonAlreadyRunningError}.
 * @example const lock = acquirePidLock('.candlelake', store.url); try { … } finally { lock.release(); }
 */
export function acquirePidLock(stateDir: string, lakeUrl: string, self: { pid: number; startedAtMs: number } = { pid: process.pid, startedAtMs: Date.now() }): PidLock {
  mkdirSync(stateDir, { recursive: true });
  const path = pidFilePath(stateDir, lakeUrl);
  const content: PidFileContent = { pid: self.pid, host: hostname(), lake: lakeUrl, startedAt: new Date(self.startedAtMs).toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(path, `${JSON.stringify(content)}\n`, { flag: 'wx' });
      return {
        path,
        release() {
          if (readHolder(path)?.pid === self.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    // A live process of this host holds it; an unreadable file is being written by a racing start.
    if (holder === null && attempt < 2) continue;
    if (holder && holder.pid !== self.pid && holder.host === content.host && isProcessAlive(holder.pid)) throw new DaemonAlreadyRunningError(holder, path);
    // Stale (dead pid, or written by a host this state directory no longer runs on): take it over.
    rmSync(path, { force: true });
  }
  throw new Error(`could not take the daemon pid file ${path}`);
}

function readHolder(path: string): PidFileContent | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as PidFileContent;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}
