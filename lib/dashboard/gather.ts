/**
 * Gathers what the dashboard shows from the lake into one plain model: the health probe, the
 * latest validate report's table, the last week of run records, open alerts, the latest daily
 * backtest's best results and the backtest heartbeat. Reads only; a part that cannot be read
 * becomes a note and the rest of the model is still returned.
 */
import { openAlerts } from '../alerts/index.ts';
import { readHeartbeat } from '../backtest-task/heartbeat.ts';
import { recentRuns } from '../digest/on-time.ts';
import { sqlString } from '../lake/duckdb.ts';
import { openLakeQuery, type QueryRow } from '../lake/query.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { collectStatus } from '../status/index.ts';
import { readLatestValidateReport } from '../validate/report-store.ts';
import type {
  DashboardAlert,
  DashboardBacktest,
  DashboardBacktestRow,
  DashboardDeps,
  DashboardFreshness,
  DashboardHeartbeat,
  DashboardModel,
  DashboardRun,
  DashboardTimeline,
} from './types.ts';

/** How far back the timeline of job runs reaches. */
export const TIMELINE_DAYS = 7;

const DAY_MS = 86_400_000;

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

async function freshnessGather(store: ObjectStore, nowMs: number): Promise<DashboardFreshness | null> {
  const report = await readLatestValidateReport(store);
  if (!report) return null;
  const cells = (report.cells ?? []).map((c) => ({
    symbol: c.symbol,
    timeframe: c.timeframe,
    status: c.status,
    candles: c.candles,
    lastOpenTime: c.lastOpenTime,
    lagMs: c.lastOpenTime ? Math.max(0, nowMs - Date.parse(c.lastOpenTime)) : null,
  }));
  const unique = (values: string[]) => [...new Set(values)];
  return {
    runId: report.runId,
    checkedAt: report.checkedAt,
    status: report.status,
    symbols: unique(cells.map((c) => c.symbol)),
    timeframes: unique(cells.map((c) => c.timeframe)),
    cells,
  };
}

async function timelineGather(store: ObjectStore, nowMs: number): Promise<DashboardTimeline> {
  const fromMs = nowMs - TIMELINE_DAYS * DAY_MS;
  const jobs = Object.keys(schedule) as JobName[];
  const runs: DashboardRun[] = [];
  for (const job of jobs) {
    for (const r of await recentRuns(store, job, nowMs, TIMELINE_DAYS)) {
      const startedMs = Date.parse(r.startedAt);
      if (!(startedMs >= fromMs && startedMs <= nowMs)) continue;
      runs.push({ job, runId: r.runId, startedAt: r.startedAt, endedAt: r.endedAt ?? null, outcome: r.outcome, summary: r.summary });
    }
  }
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.job.localeCompare(b.job));
  return { from: new Date(fromMs).toISOString(), to: new Date(nowMs).toISOString(), jobs, runs };
}

async function alertsGather(store: ObjectStore): Promise<DashboardAlert[]> {
  return (await openAlerts(store)).map((a) => ({
    severity: a.severity,
    key: a.key,
    text: a.text,
    count: a.count,
    job: a.source.job,
    firstSeen: new Date(a.firstSeenMs).toISOString(),
    lastSeen: new Date(a.lastSeenMs).toISOString(),
  }));
}

function backtestRow(r: QueryRow): DashboardBacktestRow {
  return {
    symbol: String(r['symbol']),
    timeframe: String(r['timeframe']),
    strategy: String(r['strategy']),
    params: String(r['params']),
    totalReturnPct: finiteOrNull(r['total_return_pct']),
    sharpe: finiteOrNull(r['sharpe']),
    maxDrawdownPct: finiteOrNull(r['max_drawdown_pct']),
    trades: finiteOrNull(r['trades']),
  };
}

/**
 * The latest daily run (run ids `backtest-YYYY-MM-DD` sort by date) and its best result per
 * series and strategy, best Sharpe first, with the equity curve of the first.
 */
async function backtestGather(store: ObjectStore, cacheDir: string): Promise<DashboardBacktest | null> {
  const lake = await openLakeQuery(store, cacheDir);
  try {
    const [latest] = await lake.rows("SELECT max(run_id) AS run_id FROM backtest_runs WHERE run_id LIKE 'backtest-20%'");
    const runId = latest?.['run_id'];
    if (typeof runId !== 'string') return null;
    const found = await lake.rows(
      'SELECT symbol, timeframe, strategy, params, total_return_pct, sharpe, max_drawdown_pct, trades, CAST(run_date AS VARCHAR) AS run_date ' +
        `FROM backtest_runs WHERE is_best AND run_id = ${sqlString(runId)} ORDER BY sharpe DESC NULLS LAST, symbol, timeframe, strategy, params`,
    );
    const rows = found.map(backtestRow);
    const best = rows[0];
    let bestEquity: DashboardBacktest['bestEquity'] = null;
    if (best) {
      const points = await lake.rows(
        `SELECT epoch_ms(time)::DOUBLE AS t, equity FROM backtest_equity WHERE run_id = ${sqlString(runId)} AND symbol = ${sqlString(best.symbol)} ` +
          `AND timeframe = ${sqlString(best.timeframe)} AND strategy = ${sqlString(best.strategy)} AND params = ${sqlString(best.params)} ORDER BY t`,
      );
      if (points.length >= 2) {
        bestEquity = { timeMs: points.map((p) => Number(p['t'])), equity: points.map((p) => Number(p['equity'])) };
      }
    }
    const runDate = found[0]?.['run_date'];
    return { runId, runDate: typeof runDate === 'string' ? runDate : null, rows, bestEquity };
  } finally {
    lake.close();
  }
}

async function heartbeatGather(store: ObjectStore, nowMs: number, status: string): Promise<DashboardHeartbeat | null> {
  const beat = await readHeartbeat(store);
  if (!beat) return null;
  return {
    runId: beat.runId,
    runDate: beat.runDate,
    state: beat.state,
    status,
    unitsDone: beat.unitsDone,
    unitsTotal: beat.unitsTotal,
    progressPct: beat.unitsTotal > 0 ? Math.round((beat.unitsDone / beat.unitsTotal) * 1000) / 10 : 0,
    ageSeconds: Math.round((nowMs - beat.atMs) / 1000),
    taskId: beat.taskId,
    shard: beat.shard,
  };
}

/**
 * Reads the lake into the dashboard's model. The health probe must succeed; every other part
 * that fails is left empty and named in `notes`.
 * @example const model = await dashboardGather({ store, config, clock: systemClock, logger });
 */
export async function dashboardGather(deps: DashboardDeps): Promise<DashboardModel> {
  const { store, config, clock, logger } = deps;
  const nowMs = clock.nowMs();
  const notes: string[] = [];
  async function part<T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn('dashboard: could not read part of the lake', { part: name, error: message });
      notes.push(`${name}: ${message.replace(/\s*\n\s*/g, ' ')}`);
      return fallback;
    }
  }
  const status = await collectStatus(store, clock);
  const freshness = await part('freshness', () => freshnessGather(store, nowMs), null);
  const emptyTimeline: DashboardTimeline = { from: new Date(nowMs - TIMELINE_DAYS * DAY_MS).toISOString(), to: new Date(nowMs).toISOString(), jobs: Object.keys(schedule), runs: [] };
  const timeline = await part('timeline', () => timelineGather(store, nowMs), emptyTimeline);
  const alerts = await part('alerts', () => alertsGather(store), []);
  const backtest = await part('backtest', () => backtestGather(store, config.cacheDir), null);
  const heartbeat = await part('heartbeat', () => heartbeatGather(store, nowMs, status.backtestHeartbeat?.status ?? 'OK'), null);
  return { generatedAt: new Date(nowMs).toISOString(), lake: store.url, status, freshness, timeline, alerts, backtest, heartbeat, notes };
}
