/**
 * Types of the status dashboard: the plain model gathered from the lake (also served as
 * `/status.json`), and the ports and options of its doors. Behaviour lives in the sibling files.
 */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { StatusReport } from '../status/index.ts';
import type { Severity } from '../validate/rules/types.ts';

/** What gathering needs: the lake, where DuckDB may keep its local copy, and "now". */
export interface DashboardDeps {
  store: ObjectStore;
  config: CandlelakeConfig;
  clock: Clock;
  logger: JobLogger;
}

/** One (symbol, timeframe) cell of the freshness heatmap, from the latest validate report. */
export interface DashboardCell {
  symbol: string;
  timeframe: string;
  status: Severity;
  candles: number;
  lastOpenTime: string | null;
  /** Now minus the last stored open time; `null` when the series holds nothing. */
  lagMs: number | null;
}

/** The heatmap: the latest validate report's table, with its axes in report order. */
export interface DashboardFreshness {
  runId: string;
  checkedAt: string;
  status: Severity;
  symbols: string[];
  timeframes: string[];
  cells: DashboardCell[];
}

/** One job run of the timeline. */
export interface DashboardRun {
  job: string;
  runId: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string;
  summary: string;
}

/** Job runs over a window, oldest first. */
export interface DashboardTimeline {
  from: string;
  to: string;
  jobs: string[];
  runs: DashboardRun[];
}

/** An open alert, as the page shows it. */
export interface DashboardAlert {
  severity: string;
  key: string;
  text: string;
  count: number;
  job: string;
  firstSeen: string;
  lastSeen: string;
}

/** One best result (per series and strategy) of the latest daily backtest. */
export interface DashboardBacktestRow {
  symbol: string;
  timeframe: string;
  strategy: string;
  /** Canonical JSON of the parameters, as stored in `backtest_runs`. */
  params: string;
  totalReturnPct: number | null;
  sharpe: number | null;
  maxDrawdownPct: number | null;
  trades: number | null;
}

/** The latest daily backtest: its best results and the equity curve of the very best. */
export interface DashboardBacktest {
  runId: string;
  runDate: string | null;
  /** Sorted by Sharpe, best first; the first row is the one charted. */
  rows: DashboardBacktestRow[];
  /** Equity points of `rows[0]`: epoch milliseconds and account value. */
  bestEquity: { timeMs: number[]; equity: number[] } | null;
}

/** The backtest heartbeat with its progress, while it runs or as it was left. */
export interface DashboardHeartbeat {
  runId: string;
  runDate: string;
  state: string;
  status: string;
  unitsDone: number;
  unitsTotal: number;
  progressPct: number;
  ageSeconds: number;
  taskId: string;
  shard: string;
}

/** Everything the page shows, as plain JSON (`GET /status.json`). */
export interface DashboardModel {
  generatedAt: string;
  lake: string;
  status: StatusReport;
  freshness: DashboardFreshness | null;
  timeline: DashboardTimeline;
  alerts: DashboardAlert[];
  backtest: DashboardBacktest | null;
  heartbeat: DashboardHeartbeat | null;
  /** Parts of the lake that could not be read; the rest of the page still shows. */
  notes: string[];
}

/** How the page is drawn. */
export interface DashboardRenderOptions {
  /** Seconds between reloads (`<meta http-equiv="refresh">`); 0 for none. Default 30. */
  refreshSeconds?: number;
}

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions extends DashboardDeps {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long one reading of the lake serves requests. Default 5,000 ms. */
  cacheMs?: number;
  render?: DashboardRenderOptions;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** e.g. `http://127.0.0.1:8787/` */
  url: string;
  close(): Promise<void>;
}
