import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { DASHBOARD_DEFAULT_KEY, dashboardWrite } from '../../../lib/dashboard/index.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import type { ObjectStore, PutOptions } from '../../../lib/object-store/types.ts';
import { runCli } from '../../harness/cli.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';

const NOW = Date.parse('2024-07-10T03:00:00Z');

/** A file store that remembers the options of every put. */
function recordingStore(inner: ObjectStore): ObjectStore & { puts: Array<{ key: string; options?: PutOptions }> } {
  const puts: Array<{ key: string; options?: PutOptions }> = [];
  return {
    puts,
    url: inner.url,
    get: (key) => inner.get(key),
    put: (key, body, options) => {
      puts.push({ key, ...(options ? { options } : {}) });
      return inner.put(key, body, options);
    },
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    head: (key) => inner.head(key),
    download: (key, path) => inner.download(key, path),
  };
}

async function emptyLake() {
  const dir = await mkdtemp(join(tmpdir(), 'dashboard-write-'));
  const store = recordingStore(new FileObjectStore(dir));
  const config = loadConfig({ env: {}, overrides: { lake: `file://${dir}`, cacheDir: join(dir, '.cache') } });
  return { dir, store, deps: { store, config, clock: fixedClock(NOW), logger: capturingLogger() } };
}

describe('dashboardWrite', () => {
  it.each([
    [undefined, DASHBOARD_DEFAULT_KEY],
    ['reports/status.html', 'reports/status.html'],
  ])('stores the page as text/html under %s', async (key, expected) => {
    const { store, deps } = await emptyLake();
    const written = await dashboardWrite(deps, key);
    expect(written).toMatchObject({ key: expected, status: 'WARNING' });
    expect(store.puts).toEqual([{ key: expected, options: { contentType: 'text/html; charset=utf-8' } }]);
    const body = Buffer.from((await store.get(expected))!.body).toString('utf8');
    expect(body.startsWith('<!doctype html>')).toBe(true);
    expect(body).toContain('No data yet');
    expect(written.bytes).toBe(Buffer.byteLength(body));
  });

  it.each(['', '/abs.html', 'folder/'])('refuses a key that names no object (%j)', async (key) => {
    const { store, deps } = await emptyLake();
    await expect(dashboardWrite(deps, key)).rejects.toThrow(RangeError);
    expect(store.puts).toEqual([]);
  });
});

describe('candlelake dashboard --write', () => {
  it('writes the default key, or the one given, and prints it', async () => {
    const { dir } = await emptyLake();
    const env = { CANDLELAKE_LAKE: `file://${dir}`, CANDLELAKE_CACHE_DIR: join(dir, '.cache'), CANDLELAKE_LOG_LEVEL: 'error' };
    const byDefault = await runCli(['dashboard', '--write'], env);
    expect([byDefault.code, byDefault.stdout]).toEqual([0, `${DASHBOARD_DEFAULT_KEY}\n`]);
    const named = await runCli(['--json', 'dashboard', '--write', 'pages/dash.html'], env);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ key: 'pages/dash.html', status: 'WARNING' });
    const store = new FileObjectStore(dir);
    for (const key of [DASHBOARD_DEFAULT_KEY, 'pages/dash.html']) {
      expect(Buffer.from((await store.get(key))!.body).toString('utf8')).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    }
  });

  it('rejects a bad port as a usage error (exit 2)', async () => {
    const { dir } = await emptyLake();
    const bad = await runCli(['dashboard', '--port', 'http'], { CANDLELAKE_LAKE: `file://${dir}`, CANDLELAKE_LOG_LEVEL: 'error' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid option --port: "http"');
  });
});
