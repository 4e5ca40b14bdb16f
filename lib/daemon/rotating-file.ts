/**
 * A log file that rotates by size: `daemon.log` grows to `maxBytes`, then becomes `daemon.log.1`
 * (`.1` → `.2` …, the oldest beyond `keep` deleted) and a fresh `daemon.log` starts. Appends are
 * synchronous: the daemon logs a few lines a minute, and a line is on disk before a crash.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  /** Rotate when the next line would take the file past this size (default 10 MB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5). */
  keep?: number;
}

export const ROTATING_FILE_DEFAULTS = { maxBytes: 10 * 1024 * 1024, keep: 5 } as const;

export interface RotatingFile {
  /** Appends one line (a newline is added). */
  write(line: string): void;
  readonly path: string;
}

/**
 * @example const file = openRotatingFile('.candlelake/logs/daemon.log', { maxBytes: 1_000_000, keep: 3 }); file.write('{"level":"INFO"}');
 */
export function openRotatingFile(path: string, options: RotatingFileOptions = {}): RotatingFile {
  const maxBytes = options.maxBytes ?? ROTATING_FILE_DEFAULTS.maxBytes;
  const keep = options.keep ?? ROTATING_FILE_DEFAULTS.keep;
  mkdirSync(dirname(path), { recursive: true });
  let sizeBytes = sizeOf(path);
  const rotate = () => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) {
      if (exists(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    if (keep >= 1 && exists(path)) renameSync(path, `${path}.1`);
    else rmSync(path, { force: true });
    sizeBytes = 0;
  };
  return {
    path,
    write(line) {
      const text = `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (sizeBytes > 0 && sizeBytes + bytes > maxBytes) rotate();
      appendFileSync(path, text);
      sizeBytes += bytes;
    },
  };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
