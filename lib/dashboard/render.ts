/**
 * Renders the dashboard model to one self-contained HTML page: inline CSS, the results table's
 * small sort script, and the equity curve as inline SVG drawn server-side by the backtest
 * report's chart definition. Pure: the same model gives the same page; every text from the
 * lake passes through `escapeHtml`.
 */
import { equityChartOption, renderSvg } from '../backtest/report/index.ts';
import { escapeHtml as e } from '../backtest/report/escape-html.ts';
import { formatNumber, formatPct } from '../backtest/report/format.ts';
import { SORT_SCRIPT } from '../backtest/report/html-table.ts';
import type { BacktestResult, ReportInput, Stats } from '../backtest/types.ts';
import { formatAge, formatStoredParams, formatTime } from './format.ts';
import type { DashboardBacktest, DashboardFreshness, DashboardModel, DashboardRenderOptions, DashboardTimeline } from './types.ts';

/** Defaults of {@link dashboardRenderHtml}. */
export const DASHBOARD_RENDER_DEFAULTS: Required<DashboardRenderOptions> = { refreshSeconds: 30 };

const NO_DATA = 'No data yet';

const STYLE = `
:root { --ok: #16a34a; --info: #2563eb; --warning: #d97706; --critical: #dc2626; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { font-family: DejaVu Sans, system-ui, sans-serif; margin: 0; padding: 16px 24px; color: #1f2937; background: #f9fafb; font-size: 14px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.meta, .empty { color: var(--muted); } .empty { font-style: italic; }
table { border-collapse: collapse; } th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td.meta, td.nowrap { white-space: nowrap; }
th button { font: inherit; font-weight: bold; border: 0; background: none; padding: 0; cursor: pointer; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: bold; font-size: 12px; }
.s-OK, .o-succeeded { background: var(--ok); } .s-INFO, .o-running { background: var(--info); }
.s-WARNING, .o-partial { background: var(--warning); } .s-CRITICAL, .o-failed { background: var(--critical); }
.o-abandoned { background: #7f1d1d; } .o-skipped { background: #9ca3af; }
.problems { margin: 6px 0 0; padding-left: 20px; }
table.heatmap td.cell { width: 64px; height: 26px; color: #fff; text-align: center; font-size: 11px; border: 2px solid #fff; }
table.heatmap td.missing { background: #f3f4f6; }
.legend span { margin-right: 10px; font-size: 12px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }
.track { position: relative; height: 18px; width: 100%; min-width: 420px; background: #f3f4f6; border-radius: 3px; }
.track .day { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #d1d5db; }
.track .mark { position: absolute; top: 3px; width: 6px; height: 12px; margin-left: -3px; border-radius: 2px; }
table.timeline td:first-child { width: 90px; } table.timeline td.track-cell { width: 100%; }
.progress { width: 320px; height: 14px; background: #e5e7eb; border-radius: 7px; overflow: hidden; display: inline-block; vertical-align: middle; }
.progress span { display: block; height: 100%; background: var(--info); }
figure { margin: 12px 0 0; } figure svg { max-width: 100%; height: auto; display: block; }
`;

function badge(status: string): string {
  return `<span class="badge s-${e(status)}">${e(status)}</span>`;
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}">\n<h2>${e(heading)}</h2>\n${body}\n</section>`;
}

function empty(text: string): string {
  return `<p class="empty">${e(text)}</p>`;
}

function overviewHtml(model: DashboardModel): string {
  const { status } = model;
  const problems = status.problems.length ? `<ul class="problems">${status.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>` : '';
  const noData = status.jobs.every((j) => j.lastRun === null) && !model.freshness && !model.backtest
    ? empty(`${NO_DATA}: no job has run on this lake. Run \`candlelake once\` to fill it.`)
    : '';
  const notes = model.notes.length ? `<ul class="problems notes">${model.notes.map((n) => `<li>could not read ${e(n)}</li>`).join('')}</ul>` : '';
  return `<header id="overview" data-status="${e(status.status)}">
<h1>candlelake ${badge(status.status)}</h1>
<p class="meta">${e(model.lake)} · generated ${e(formatTime(model.generatedAt))} · ${status.openAlerts} open alert${status.openAlerts === 1 ? '' : 's'}</p>
${problems}${notes}${noData}
</header>`;
}

function jobsHtml(model: DashboardModel): string {
  const rows = model.status.jobs.map((j) => `<tr data-job="${e(j.job)}" data-status="${e(j.status)}">` +
    `<td>${e(j.job)}</td><td>${badge(j.status)}</td><td class="nowrap">${e(formatTime(j.lastRun))}</td><td>${e(j.outcome ?? '—')}</td>` +
    `<td class="num">${e(j.ageHours === null ? '—' : formatAge(j.ageHours * 3_600_000))}</td><td>${j.overdue ? '<strong>overdue</strong>' : 'on time'}</td><td>${e(j.text)}</td></tr>`);
  const table = `<table id="jobs">\n<thead><tr><th>Job</th><th>Status</th><th>Last run</th><th>Outcome</th><th>Age</th><th>Due</th><th></th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
  return section('jobs-section', 'Jobs', table);
}

const STATUSES = ['OK', 'INFO', 'WARNING', 'CRITICAL'] as const;

function freshnessHtml(freshness: DashboardFreshness | null): string {
  if (!freshness || freshness.cells.length === 0) return section('freshness', 'Data freshness', empty(`${NO_DATA}: no validate report in the lake.`));
  const byKey = new Map(freshness.cells.map((c) => [`${c.symbol}|${c.timeframe}`, c]));
  const head = `<tr><th scope="col">Symbol</th>${freshness.timeframes.map((tf) => `<th scope="col">${e(tf)}</th>`).join('')}</tr>`;
  const rows = freshness.symbols.map((symbol) => {
    const cells = freshness.timeframes.map((tf) => {
      const c = byKey.get(`${symbol}|${tf}`);
      if (!c) return '<td class="missing"></td>';
      const title = c.lastOpenTime
        ? `${c.symbol} ${c.timeframe}: ${c.status}, last open ${formatTime(c.lastOpenTime)}, lag ${formatAge(c.lagMs)}, ${c.candles} candles`
        : `${c.symbol} ${c.timeframe}: ${c.status}, no candles`;
      return `<td class="cell s-${e(c.status)}" data-symbol="${e(c.symbol)}" data-timeframe="${e(c.timeframe)}" data-status="${e(c.status)}" title="${e(title)}">${e(c.lagMs === null ? 'empty' : formatAge(c.lagMs))}</td>`;
    });
    return `<tr><th scope="row">${e(symbol)}</th>${cells.join('')}</tr>`;
  });
  const legend = `<p class="legend">${STATUSES.map((s) => `<span><i class="s-${s}"></i>${s}</span>`).join('')} · cells show the lag of the last stored candle</p>`;
  const meta = `<p class="meta">validate ${badge(freshness.status)} ${e(freshness.runId)} at ${e(formatTime(freshness.checkedAt))}</p>`;
  return section('freshness', 'Data freshness', `${meta}\n<table class="heatmap" id="heatmap">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n${legend}`);
}

function timelineHtml(timeline: DashboardTimeline): string {
  const fromMs = Date.parse(timeline.from);
  const spanMs = Math.max(1, Date.parse(timeline.to) - fromMs);
  const pct = (ms: number) => Math.min(100, Math.max(0, ((ms - fromMs) / spanMs) * 100)).toFixed(2);
  const days: string[] = [];
  for (let day = Math.ceil(fromMs / 86_400_000) * 86_400_000; day < fromMs + spanMs; day += 86_400_000) {
    days.push(`<span class="day" style="left:${pct(day)}%" title="${e(new Date(day).toISOString().slice(0, 10))}"></span>`);
  }
  const rows = timeline.jobs.map((job) => {
    const runs = timeline.runs.filter((r) => r.job === job);
    const marks = runs.map((r) => {
      const title = `${r.job} ${formatTime(r.startedAt)} ${r.outcome}${r.endedAt ? ` (ended ${formatTime(r.endedAt)})` : ''}: ${r.summary}`;
      return `<span class="mark o-${e(r.outcome)}" style="left:${pct(Date.parse(r.startedAt))}%" data-job="${e(r.job)}" data-outcome="${e(r.outcome)}" title="${e(title)}"></span>`;
    });
    const bad = runs.filter((r) => r.outcome === 'failed' || r.outcome === 'abandoned').length;
    const count = `${runs.length} run${runs.length === 1 ? '' : 's'}${bad ? `, ${bad} failed` : ''}`;
    return `<tr data-job="${e(job)}"><td>${e(job)}</td><td class="track-cell"><div class="track">${days.join('')}${marks.join('')}</div></td><td class="meta">${e(count)}</td></tr>`;
  });
  const body = timeline.runs.length === 0 ? empty(`${NO_DATA}: no job runs in the last 7 days.`) : '';
  const legend = `<p class="legend">${['succeeded', 'partial', 'failed', 'abandoned', 'running', 'skipped'].map((o) => `<span><i class="o-${o}"></i>${o}</span>`).join('')}</p>`;
  const meta = `<p class="meta">${e(formatTime(timeline.from))} → ${e(formatTime(timeline.to))}</p>`;
  return section('timeline', 'Job runs, last 7 days', `${meta}\n${body}<table class="timeline">\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n${legend}`);
}

function heartbeatHtml(model: DashboardModel): string {
  const hb = model.heartbeat;
  if (!hb) return section('heartbeat', 'Backtest heartbeat', empty(`${NO_DATA}: the daily backtest has not run.`));
  const pct = Math.min(100, Math.max(0, hb.progressPct));
  const body = `<p>${badge(hb.status)} <strong data-state="${e(hb.state)}">${e(hb.state)}</strong> · ${e(hb.runId)} · last beat ${e(formatAge(hb.ageSeconds * 1000))} ago · task ${e(hb.taskId)} · shard ${e(hb.shard)}</p>
<p><span class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="${hb.unitsTotal}" aria-valuenow="${hb.unitsDone}" data-units-done="${hb.unitsDone}" data-units-total="${hb.unitsTotal}"><span style="width:${pct}%"></span></span> ${hb.unitsDone} / ${hb.unitsTotal} units (${e(formatNumber(hb.progressPct, 1))}%)</p>`;
  return section('heartbeat', 'Backtest heartbeat', body);
}

function alertsHtml(model: DashboardModel): string {
  if (model.alerts.length === 0) return section('alerts', 'Open alerts', empty('No open alerts.'));
  const rows = model.alerts.map((a) => `<tr data-key="${e(a.key)}" data-severity="${e(a.severity)}"><td>${badge(a.severity)}</td><td><code>${e(a.key)}</code></td><td>${e(a.text)}</td>` +
    `<td class="num">${a.count}</td><td>${e(a.job)}</td><td class="nowrap">${e(formatTime(a.firstSeen))}</td><td class="nowrap">${e(formatTime(a.lastSeen))}</td></tr>`);
  return section('alerts', 'Open alerts', `<table id="alerts-table">\n<thead><tr><th>Severity</th><th>Key</th><th>Text</th><th>Count</th><th>Job</th><th>First seen</th><th>Last seen</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`);
}

function equitySvg(backtest: DashboardBacktest): string {
  const best = backtest.rows[0];
  if (!best || !backtest.bestEquity) return '';
  const time = Float64Array.from(backtest.bestEquity.timeMs);
  const equity = Float64Array.from(backtest.bestEquity.equity);
  const stats = { totalReturnPct: best.totalReturnPct, sharpe: best.sharpe, maxDrawdownPct: best.maxDrawdownPct, trades: best.trades } as unknown as Stats;
  const title = `${best.symbol} ${best.timeframe} · ${best.strategy} ${formatStoredParams(best.params)}`;
  const input: ReportInput = {
    title,
    // The equity chart reads only time and equity; the price columns are not drawn.
    bars: { symbol: best.symbol, timeframe: best.timeframe, time, open: equity, high: equity, low: equity, close: equity, volume: equity },
    detail: { result: { stats } as BacktestResult, simulation: { equity, trades: [], exposureBars: 0 } },
    results: [],
  };
  const svg = renderSvg(equityChartOption(input), { width: 960, height: 440, idPrefix: 'equity' });
  return `<figure id="best-equity" role="img" aria-label="${e(`Equity of the best result: ${title}`)}">\n${svg}\n</figure>`;
}

const BACKTEST_COLUMNS: ReadonlyArray<[label: string, numeric: boolean]> = [
  ['Symbol', false], ['Timeframe', false], ['Strategy', false], ['Params', false], ['Return', true], ['Sharpe', true], ['Max drawdown', true], ['Trades', true],
];

function backtestHtml(backtest: DashboardBacktest | null): string {
  if (!backtest || backtest.rows.length === 0) return section('backtest', 'Latest daily backtest', empty(`${NO_DATA}: no daily backtest results in the lake.`));
  const sortKey = (v: number | null) => (v === null ? '' : String(v));
  const head = BACKTEST_COLUMNS.map(([label, numeric]) => `<th scope="col" data-type="${numeric ? 'number' : 'text'}"><button type="button">${e(label)}</button></th>`).join('');
  const rows = backtest.rows.map((r) => {
    const text = (v: string) => `<td data-sort="${e(v)}">${e(v)}</td>`;
    const num = (v: number | null, shown: string) => `<td class="num" data-sort="${e(sortKey(v))}">${e(shown)}</td>`;
    return `<tr data-symbol="${e(r.symbol)}" data-timeframe="${e(r.timeframe)}" data-strategy="${e(r.strategy)}" data-params="${e(r.params)}">` +
      text(r.symbol) + text(r.timeframe) + text(r.strategy) + text(formatStoredParams(r.params)) +
      num(r.totalReturnPct, formatPct(r.totalReturnPct, { signed: true })) + num(r.sharpe, formatNumber(r.sharpe, 2)) +
      num(r.maxDrawdownPct, formatPct(r.maxDrawdownPct)) + num(r.trades, formatNumber(r.trades, 0)) + '</tr>';
  });
  const meta = `<p class="meta">${e(backtest.runId)}${backtest.runDate ? ` · run date ${e(backtest.runDate)}` : ''} · best parameters per series and strategy, best Sharpe first</p>`;
  const table = `<table id="backtest-results" class="sortable">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
  return section('backtest', 'Latest daily backtest', `${meta}\n${table}\n${equitySvg(backtest)}`);
}

/**
 * The whole page. Empty parts of the lake say "No data yet" instead of failing.
 * @example const html = dashboardRenderHtml(await dashboardGather(deps), { refreshSeconds: 30 });
 */
export function dashboardRenderHtml(model: DashboardModel, options: DashboardRenderOptions = {}): string {
  const { refreshSeconds } = { ...DASHBOARD_RENDER_DEFAULTS, ...options };
  if (!Number.isInteger(refreshSeconds) || refreshSeconds < 0) throw new RangeError(`refreshSeconds must be a non-negative integer, got ${refreshSeconds}`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(refreshSeconds > 0 ? [`<meta http-equiv="refresh" content="${refreshSeconds}">`] : []),
    `<title>candlelake ${e(model.status.status)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    overviewHtml(model),
    jobsHtml(model),
    freshnessHtml(model.freshness),
    heartbeatHtml(model),
    timelineHtml(model.timeline),
    alertsHtml(model),
    backtestHtml(model.backtest),
    `<script>${SORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
