import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { dashboardGather, dashboardRenderHtml, type DashboardModel } from '../../../lib/dashboard/index.ts';
import { formatAge, formatStoredParams, formatTime } from '../../../lib/dashboard/format.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';

const NOW = Date.parse('2024-07-10T03:00:00Z');
const EVIL = '<script>alert("x")</script>&\'';

async function emptyLakeModel(): Promise<DashboardModel> {
  const dir = await mkdtemp(join(tmpdir(), 'dashboard-empty-'));
  const config = loadConfig({ env: {}, overrides: { lake: `file://${dir}`, cacheDir: join(dir, '.cache') } });
  return dashboardGather({ store: new FileObjectStore(dir), config, clock: fixedClock(NOW), logger: capturingLogger() });
}

/** A model whose every text field carries markup. */
function hostileModel(base: DashboardModel): DashboardModel {
  return {
    ...base,
    lake: `file:///lake/${EVIL}`,
    status: { ...base.status, problems: [`WARNING ${EVIL}`], jobs: base.status.jobs.map((j) => ({ ...j, text: `${j.job} ${EVIL}` })) },
    freshness: {
      runId: `validate-${EVIL}`, checkedAt: '2024-07-10T01:00:00.000Z', status: 'WARNING', symbols: [EVIL], timeframes: ['1h'],
      cells: [{ symbol: EVIL, timeframe: '1h', status: 'WARNING', candles: 3, lastOpenTime: '2024-07-10T00:00:00.000Z', lagMs: 3 * 3_600_000 }],
    },
    timeline: { ...base.timeline, runs: [{ job: 'update', runId: 'u1', startedAt: '2024-07-09T00:30:00.000Z', endedAt: null, outcome: 'failed', summary: EVIL }] },
    alerts: [{ severity: 'CRITICAL', key: `k:${EVIL}`, text: EVIL, count: 2, job: 'validate', firstSeen: '2024-07-09T01:00:00.000Z', lastSeen: '2024-07-10T01:00:00.000Z' }],
    backtest: {
      runId: 'backtest-2024-07-09', runDate: '2024-07-09', bestEquity: null,
      rows: [{ symbol: EVIL, timeframe: '1h', strategy: EVIL, params: `{"p":"${EVIL.replace(/"/g, '\\"')}"}`, totalReturnPct: 1.5, sharpe: 0.5, maxDrawdownPct: 3, trades: 4 }],
    },
    heartbeat: { runId: EVIL, runDate: '2024-07-09', state: 'running', status: 'OK', unitsDone: 1, unitsTotal: 4, progressPct: 25, ageSeconds: 12, taskId: EVIL, shard: '0/1' },
    notes: [`backtest: ${EVIL}`],
  };
}

describe('dashboardRenderHtml', () => {
  it('renders an empty lake as a page that says "No data yet" in every part', async () => {
    const model = await emptyLakeModel();
    expect(model).toMatchObject({ freshness: null, backtest: null, heartbeat: null, alerts: [], notes: [] });
    const html = dashboardRenderHtml(model);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('No data yet: no job has run on this lake');
    for (const part of ['freshness', 'heartbeat', 'timeline', 'backtest']) {
      expect(html).toMatch(new RegExp(`<section id="${part}">[\\s\\S]*?No data yet[\\s\\S]*?</section>`));
    }
    expect(html).toContain('No open alerts.');
  });

  it('escapes every text that comes from the lake', async () => {
    const html = dashboardRenderHtml(hostileModel(await emptyLakeModel()));
    // The only script on the page is the table sorter.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain('alert("x")');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain(`data-symbol="&lt;script&gt;`);
  });

  it('is self-contained: no external scripts, styles, images or fonts', async () => {
    const html = dashboardRenderHtml(await emptyLakeModel());
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
  });

  it.each([
    [undefined, '<meta http-equiv="refresh" content="30">'],
    [{ refreshSeconds: 5 }, '<meta http-equiv="refresh" content="5">'],
  ])('reloads itself (%o)', async (options, meta) => {
    expect(dashboardRenderHtml(await emptyLakeModel(), options)).toContain(meta);
  });

  it('leaves out the reload with refreshSeconds 0 and rejects a bad value', async () => {
    const model = await emptyLakeModel();
    expect(dashboardRenderHtml(model, { refreshSeconds: 0 })).not.toContain('http-equiv');
    expect(() => dashboardRenderHtml(model, { refreshSeconds: 1.5 })).toThrow(RangeError);
  });

  it('draws the heatmap, the progress and the best equity curve as inline SVG', async () => {
    const base = hostileModel(await emptyLakeModel());
    const model: DashboardModel = {
      ...base,
      backtest: { ...base.backtest!, rows: [{ ...base.backtest!.rows[0]!, symbol: 'BTC/USDT', params: '{"fast":5,"slow":20}' }], bestEquity: { timeMs: [NOW - 7_200_000, NOW - 3_600_000, NOW], equity: [10_000, 10_200, 10_100] } },
    };
    const html = dashboardRenderHtml(model);
    expect(html).toMatch(/<td class="cell s-WARNING" data-symbol="[^"]+" data-timeframe="1h" data-status="WARNING" title="[^"]*lag 3 h[^"]*">3 h<\/td>/);
    expect(html).toContain('data-units-done="1" data-units-total="4"');
    expect(html).toContain('fast=5, slow=20');
    expect(html).toMatch(/<figure id="best-equity"[^>]*>\n<svg[\s\S]*<\/svg>\n<\/figure>/);
    // Same model, same page.
    expect(dashboardRenderHtml(model)).toBe(html);
  });
});

describe('dashboard formatting', () => {
  it.each([
    [null, '—'], [45_000, '45 s'], [5 * 60_000, '5 min'], [3 * 3_600_000 + 10 * 60_000, '3 h 10 min'], [50 * 3_600_000, '2 d 2 h'], [72 * 3_600_000, '3 d'],
  ])('formatAge(%o) = %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it.each([
    ['2024-07-10T02:00:31.000Z', '2024-07-10 02:00Z'], [null, '—'], ['not a time', 'not a time'],
  ])('formatTime(%o) = %s', (iso, text) => {
    expect(formatTime(iso)).toBe(text);
  });

  it.each([
    ['{"fast":10,"slow":30}', 'fast=10, slow=30'], ['fast=10', 'fast=10'], ['[1,2]', '[1,2]'],
  ])('formatStoredParams(%s) = %s', (params, text) => {
    expect(formatStoredParams(params)).toBe(text);
  });
});
