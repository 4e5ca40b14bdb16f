/**
 * The status dashboard: one self-contained HTML page of the lake's health (jobs, data freshness,
 * runs of the last week, open alerts, the latest daily backtest and its heartbeat), served over
 * HTTP (`candlelake dashboard`, or the daemon) or written to the lake as a static object.
 */
export type * from './types.ts';
export { dashboardGather, TIMELINE_DAYS } from './gather.ts';
export { dashboardRenderHtml, DASHBOARD_RENDER_DEFAULTS } from './render.ts';
export { startDashboardServer, DASHBOARD_SERVER_DEFAULTS } from './server.ts';
export { dashboardWrite, DASHBOARD_DEFAULT_KEY, type DashboardWriteResult } from './write.ts';
