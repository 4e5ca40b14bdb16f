/**
 * The self-contained HTML report: one file with no external scripts, fonts, styles or images,
 * so it can be attached, archived in the lake and opened offline. Charts are inline SVGs
 * rendered here on the server from the same option builders as the PNG.
 */
import type { EChartsOption } from 'echarts';
import type { ReportInput } from '../types.ts';
import { equityChartOption } from './equity-chart.ts';
import { escapeHtml } from './escape-html.ts';
import { formatParams, KEY_STATS } from './format.ts';
import { heatmapOption } from './heatmap-chart.ts';
import { resultsTableHtml, SORT_SCRIPT } from './html-table.ts';
import { priceChartOption } from './price-chart.ts';
import { renderSvg } from './render-svg.ts';

/** Chart sizes in the page; the equity chart matches the PNG's default size. */
const CHART_SIZES = {
  equity: { width: 1200, height: 600 },
  price: { width: 1200, height: 500 },
  heatmap: { width: 1200, height: 520 },
} as const;

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; color: #1f2937; margin: 24px auto; max-width: 1240px; padding: 0 16px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 32px 0 8px; }
.meta { color: #6b7280; margin: 0 0 16px; }
.banner { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; }
.stats div { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.stats dt { font-size: 0.8rem; color: #6b7280; }
.stats dd { margin: 2px 0 0; font-size: 1.2rem; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; display: block; }
table.results { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
table.results th, table.results td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; white-space: nowrap; }
table.results td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.results th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; }
table.results th[aria-sort=ascending] button::after { content: ' ▲'; }
table.results th[aria-sort=descending] button::after { content: ' ▼'; }
table.results tbody tr:hover { background: #f9fafb; }
.flag { color: #b45309; }
`;

function section(heading: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

function headerHtml(input: ReportInput): string {
  const { result } = input.detail;
  const { stats } = result;
  const meta = [
    result.strategy,
    `${result.symbol} ${result.timeframe}`,
    formatParams(result.params),
    `${stats.start} → ${stats.end}`,
  ]
    .filter((part) => part !== '')
    .map(escapeHtml)
    .join(' · ');
  const tiles = KEY_STATS.map(
    (s) => `<div><dt>${escapeHtml(s.label)}</dt><dd>${escapeHtml(s.format(stats[s.key]))}</dd></div>`,
  ).join('');
  const banner = bannerHtml(result.dataQualityFlags);
  return [
    '<header>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="meta">${meta}</p>`,
    `${banner}<dl class="stats">${tiles}</dl>`,
    '</header>',
  ].join('\n');
}

/** Nothing when the data was clean: the banner must mean something when it shows. */
function bannerHtml(flags: readonly string[]): string {
  if (flags.length === 0) return '';
  const items = flags.map((f) => `<li>${escapeHtml(f)}</li>`).join('');
  const lead = '<strong>Data-quality warning:</strong> this series was backtested despite open critical findings.';
  return `<div class="banner" role="alert">${lead}<ul>${items}</ul></div>\n`;
}

/** One chart as an inline SVG in a titled section; `id` also prefixes the SVG's internal ids. */
function chartSection(heading: string, option: EChartsOption, id: keyof typeof CHART_SIZES): string {
  const svg = renderSvg(option, { ...CHART_SIZES[id], idPrefix: id });
  return section(heading, `<figure role="img" aria-label="${escapeHtml(heading)}">\n${svg}\n</figure>`);
}

/**
 * The whole report as one HTML document: key statistics, data-quality banner (only when
 * flagged), equity/drawdown chart, price chart with trades, heatmap (when `input.heatmap` is
 * set and results fit it), and the sortable results table.
 * @example
 * writeFileSync('report.html', renderHtmlReport(input));
 */
export function renderHtmlReport(input: ReportInput): string {
  const heatmap = heatmapOption(input);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    headerHtml(input),
    chartSection('Equity and drawdown', equityChartOption(input), 'equity'),
    chartSection('Price and trades', priceChartOption(input), 'price'),
    ...(heatmap ? [chartSection('Parameter heatmap', heatmap, 'heatmap')] : []),
    section(`Results (${input.results.length})`, resultsTableHtml(input.results)),
    `<script>${SORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
