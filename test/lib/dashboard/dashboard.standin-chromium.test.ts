/**
 * The dashboard in a real headless Chromium over a real small lake: the update job against the
 * Binance stand-in, the validate job, the daily backtest, a failed run and an open alert. The
 * page's heatmap and results table are checked against the lake, and a screenshot is kept in
 * `test-artifacts/dashboard.png`.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlerts } from '../../../lib/alerts/index.ts';
import { runDailyBacktest, TASK_EXIT } from '../../../lib/backtest-task/index.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { startDashboardServer, type DashboardModel, type DashboardServer } from '../../../lib/dashboard/index.ts';
import { formatPct } from '../../../lib/backtest/report/format.ts';
import { createBinanceExchange } from '../../../lib/exchange/binance.ts';
import { openLakeQuery, type QueryRow } from '../../../lib/lake/query.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { readLatestValidateReport } from '../../../lib/validate/report-store.ts';
import type { ValidateReport } from '../../../lib/validate/types.ts';
import { runValidate } from '../../../lib/validate/index.ts';
import { launchChromium, type ChromiumSession } from '../../harness/chromium.ts';
import { capturingLogger, testConfig, updateHarness } from '../../harness/update-fixture.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';

const H = 3_600_000;
const D = Date.UTC(2024, 6, 10);
const SETUP = {
  universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h' as const, '4h' as const, '1d' as const] },
  update: { initialLookbackDays: 20 },
  features: { enabled: false },
  backtest: { timeframes: ['1h' as const, '4h' as const], windowDays: 15, workers: 0, strategies: [{ name: 'sma-cross', grid: 'fast=5..15:5,slow=20..40:10' }] },
};
const SCREENSHOT = resolve(import.meta.dirname, '../../../test-artifacts/dashboard.png');
const ALERT_TEXT = 'BTC/USDT 1h: <b>stale</b> for 3 h';

let standIn: BinanceStandIn;
let browser: ChromiumSession;
let server: DashboardServer;
let report: ValidateReport;
let bestRows: QueryRow[];

beforeAll(async () => {
  browser = await launchChromium();
  standIn = await startBinanceStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-dashboard-'));
  const store = new FileObjectStore(dir);
  const url = `file://${dir}`;
  const cacheDir = join(dir, '.cache');
  const logger = capturingLogger();

  // Yesterday's 00:30 update and today's.
  const h = updateHarness(store, url, standIn, D - 24 * H + 31 * 60_000);
  await h.run({}, SETUP);
  h.clock.set(D + 31 * 60_000);
  expect((await h.run({}, SETUP)).outcome).toBe('succeeded');

  const config = testConfig(standIn, url, { ...SETUP, cacheDir });
  const validateClock = fixedClock(D + H);
  standIn.setNow(() => validateClock.nowMs());
  await runValidate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock: validateClock, logger, config }, { trigger: 'schedule', repair: false });
  report = (await readLatestValidateReport(store))!;

  const backtest = await runDailyBacktest({ store, clock: fixedClock(D + 2 * H), logger, config, taskId: 'pid:test' }, { shard: { index: 0, count: 1 } });
  expect(backtest.exitCode).toBe(TASK_EXIT.done);

  // A failed sentiment run two days ago and an open alert with markup in its text.
  await writeRunRecord(store, { job: 'sentiment', runId: 'sentiment-x', trigger: 'schedule', startedAt: new Date(D - 46 * H).toISOString(), endedAt: new Date(D - 46 * H + 60_000).toISOString(), outcome: 'failed', summary: 'fear & greed unreachable', details: {} });
  await raiseAlerts({ store, clock: fixedClock(D + H), logger }, { job: 'validate', runId: report.runId }, [{ key: 'validate:stale:binance:BTC/USDT:1h', severity: 'WARNING', text: ALERT_TEXT }], { job: 'validate', clearMissing: false });

  const lake = await openLakeQuery(store, cacheDir);
  try {
    bestRows = await lake.rows(
      'SELECT symbol, timeframe, strategy, params, total_return_pct FROM backtest_runs ' +
        "WHERE is_best AND run_id = (SELECT max(run_id) FROM backtest_runs WHERE run_id LIKE 'backtest-20%') ORDER BY ALL",
    );
  } finally {
    lake.close();
  }
  expect(bestRows.length).toBeGreaterThan(0);

  server = await startDashboardServer({ store, config, clock: fixedClock(D + 3 * H), logger, port: 0 });
}, 600_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
  await standIn?.close();
});

describe('the dashboard in Chromium', () => {
  it('shows the lake: heatmap cells, backtest results, equity chart, alerts, runs; and a screenshot', async () => {
    const page = await browser.context.newPage();
    const failedRequests: string[] = [];
    page.on('requestfailed', (r) => failedRequests.push(r.url()));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const response = await page.goto(server.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(await page.title()).toMatch(/^candlelake (OK|WARNING|CRITICAL)$/);

    // Heatmap: one cell per (symbol, timeframe) of the latest validate report, each with its status.
    const cells = await page.locator('#heatmap td[data-symbol]').all();
    expect(cells).toHaveLength(report.cells.length);
    expect(report.cells.length).toBe(6);
    const shown = await Promise.all(cells.map(async (c) => `${await c.getAttribute('data-symbol')}|${await c.getAttribute('data-timeframe')}|${await c.getAttribute('data-status')}`));
    expect(shown.sort()).toEqual(report.cells.map((c) => `${c.symbol}|${c.timeframe}|${c.status}`).sort());
    expect(await page.locator('#heatmap td[data-symbol="BTC/USDT"][data-timeframe="1h"]').getAttribute('title')).toMatch(/last open 2024-07-09 23:00Z, lag 4 h/);

    // Results: one row per best result of the latest daily run, as in the lake.
    const rows = await page.locator('#backtest-results tbody tr').all();
    expect(rows).toHaveLength(bestRows.length);
    const pageRows = await Promise.all(rows.map(async (r) => {
      const cellTexts = await r.locator('td').allInnerTexts();
      return [await r.getAttribute('data-symbol'), await r.getAttribute('data-timeframe'), await r.getAttribute('data-strategy'), await r.getAttribute('data-params'), cellTexts[4]];
    }));
    const lakeRows = bestRows.map((r) => [r['symbol'], r['timeframe'], r['strategy'], r['params'], formatPct(r['total_return_pct'], { signed: true })]);
    expect(pageRows.map((r) => JSON.stringify(r)).sort()).toEqual(lakeRows.map((r) => JSON.stringify(r)).sort());
    expect(await page.locator('#best-equity svg path').count()).toBeGreaterThan(2);

    // Alerts, runs and the heartbeat of the finished backtest.
    expect(await page.locator('#alerts-table tbody tr').allInnerTexts()).toEqual([expect.stringContaining(ALERT_TEXT)]);
    expect(await page.locator('#timeline .mark[data-job="sentiment"][data-outcome="failed"]').count()).toBe(1);
    expect(await page.locator('#timeline .mark[data-job="update"]').count()).toBe(2);
    expect(await page.locator('#heartbeat .progress').getAttribute('data-units-done')).toBe(await page.locator('#heartbeat .progress').getAttribute('data-units-total'));
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('30');

    // The results table sorts in the browser (the page's one script works).
    await page.locator('#backtest-results th', { hasText: 'Return' }).locator('button').click();
    const returns = await page.locator('#backtest-results tbody tr td:nth-child(5)').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-sort'))));
    expect(returns).toEqual([...returns].sort((a, b) => a - b));

    expect(dialogs).toEqual([]);
    expect(failedRequests).toEqual([]);
    await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('serves the same model as /status.json', async () => {
    const model = (await (await fetch(new URL('/status.json', server.url))).json()) as DashboardModel;
    expect(model.freshness?.cells).toHaveLength(report.cells.length);
    expect(model.backtest?.rows).toHaveLength(bestRows.length);
    expect(model.alerts.map((a) => a.text)).toEqual([ALERT_TEXT]);
    expect(model.notes).toEqual([]);
  });
});
