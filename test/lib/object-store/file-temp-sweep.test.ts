/**
 * A write killed between creating its temp file and landing it leaves the file in `.tmp/`; no
 * cleanup of its own ever runs. The next store to write there removes such files once they are
 * old enough that no live writer (in this or another process) can still own them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_STORE_DEFAULTS, FileObjectStore } from '../../../lib/object-store/file.ts';

const HOUR_MS = 3_600_000;

async function lakeDir(): Promise<string> {
  return fs.mkdtemp(path.join(tmpdir(), 'candlelake-temp-sweep-'));
}

async function tempFile(root: string, name: string, ageMs: number): Promise<string> {
  const file = path.join(root, '.tmp', name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, 'half a part');
  const at = new Date(Date.now() - ageMs);
  await fs.utimes(file, at, at);
  return file;
}

describe('FileObjectStore: temp files of killed writers', () => {
  it('the first write removes temp files older than an hour and leaves younger ones (a live writer) alone', async () => {
    const root = await lakeDir();
    const abandoned = await tempFile(root, 'abandoned.tmp', 2 * HOUR_MS);
    const live = await tempFile(root, 'live.tmp', 10 * 60_000);
    const lock = path.join(root, '.tmp', 'locks', 'key.lock');
    await fs.mkdir(path.dirname(lock), { recursive: true });
    await fs.writeFile(lock, 'lock');
    const store = new FileObjectStore(root, { fsync: false });
    await store.put('runs/latest.json', '{}');
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(lock)).toBe(true);
    expect(Buffer.from((await store.get('runs/latest.json'))!.body).toString()).toBe('{}');
    expect(await store.list('')).toHaveLength(1);
  });

  it('a temp file left by a writer SIGKILLed mid-write is removed by the next process once it is stale', async () => {
    const root = await lakeDir();
    const storeModule = new URL('../../../lib/object-store/file.ts', import.meta.url).pathname;
    // A child that starts a big write and is killed while its temp file is being written.
    const script = `
      import { FileObjectStore } from ${JSON.stringify(storeModule)};
      const store = new FileObjectStore(${JSON.stringify(root)});
      process.stdout.write('ready\\n');
      await store.put('big.bin', new Uint8Array(256 * 1024 * 1024));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tmp = path.join(root, '.tmp');
    const deadline = Date.now() + 20_000;
    let left: string[] = [];
    while (left.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      left = existsSync(tmp) ? (await fs.readdir(tmp)).filter((f) => f.endsWith('.tmp')) : [];
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(left).toHaveLength(1);
    expect(existsSync(path.join(root, 'big.bin'))).toBe(false);

    // A rerun right away must not touch it (it could be a live writer's), one after the stale age must.
    await new FileObjectStore(root, { fsync: false }).put('a.json', '1');
    expect((await fs.readdir(tmp)).filter((f) => f.endsWith('.tmp'))).toEqual(left);
    const old = new Date(Date.now() - FILE_STORE_DEFAULTS.staleTempMs - 60_000);
    await fs.utimes(path.join(tmp, left[0]!), old, old);
    const later = new FileObjectStore(root, { fsync: false });
    await later.put('b.json', '2');
    expect((await fs.readdir(tmp)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('honours staleTempMs, and reports what it removed', async () => {
    const root = await lakeDir();
    await tempFile(root, 'a.tmp', 5 * 60_000);
    await tempFile(root, 'b.tmp', 30_000);
    const store = new FileObjectStore(root, { fsync: false, staleTempMs: 60_000 });
    expect(await store.sweepStaleTempFiles()).toBe(1);
    expect((await fs.readdir(path.join(root, '.tmp'))).sort()).toEqual(['b.tmp']);
  });

  it('a lake without a .tmp folder yet is no error', async () => {
    const store = new FileObjectStore(await lakeDir());
    expect(await store.sweepStaleTempFiles()).toBe(0);
    await store.put('x.json', '{}');
    expect(await store.list('')).toHaveLength(1);
  });
});
