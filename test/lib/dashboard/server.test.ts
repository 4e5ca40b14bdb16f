import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { startDashboardServer, type DashboardModel, type DashboardServer } from '../../../lib/dashboard/index.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';

const NOW = Date.parse('2024-07-10T03:00:00Z');
let server: DashboardServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(cacheMs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'dashboard-server-'));
  const store = new FileObjectStore(dir);
  const config = loadConfig({ env: {}, overrides: { lake: `file://${dir}`, cacheDir: join(dir, '.cache') } });
  server = await startDashboardServer({ store, config, clock: fixedClock(NOW), logger: capturingLogger(), port: 0, cacheMs });
  return { store, url: server.url };
}

describe('startDashboardServer', () => {
  it('serves the page, the model, and 404/405 for the rest', async () => {
    const { url } = await serve(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await page.text()).toContain('No data yet');
    const json = await fetch(new URL('/status.json', url));
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await json.json()) as DashboardModel).toMatchObject({ generatedAt: new Date(NOW).toISOString(), freshness: null, backtest: null });
    expect((await fetch(new URL('/nope', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it.each([
    ['reads the lake again once the cache is older than cacheMs', 0, 'succeeded'],
    ['serves one reading of the lake for cacheMs', 60_000, null],
  ])('%s', async (_name, cacheMs, outcome) => {
    const { store, url } = await serve(cacheMs);
    const statusJson = async () => ((await (await fetch(new URL('/status.json', url))).json()) as DashboardModel).status.jobs.find((j) => j.job === 'update')!.outcome;
    expect(await statusJson()).toBeNull();
    await writeRunRecord(store, { job: 'update', runId: 'update-x', trigger: 'test', startedAt: '2024-07-10T00:30:02.000Z', endedAt: '2024-07-10T00:31:00.000Z', outcome: 'succeeded', summary: 's', details: {} });
    expect(await statusJson()).toBe(outcome);
  });
});
