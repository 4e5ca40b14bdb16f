/**
 * The results table of the HTML report and the few lines of script that sort it. Cells carry a
 * `data-sort` value so sorting uses the raw number, not the formatted text.
 */
import type { BacktestResult } from '../types.ts';
import { escapeHtml } from './escape-html.ts';
import { formatParams, KEY_STATS } from './format.ts';

interface Column {
  label: string;
  numeric: boolean;
  /** Cell content, already escaped. */
  html: (r: BacktestResult) => string;
  /** Raw sort key; empty sorts last in both directions. */
  sortKey: (r: BacktestResult) => string;
}

function numericKey(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

const text = (pick: (r: BacktestResult) => string): Pick<Column, 'html' | 'sortKey'> => ({
  html: (r) => escapeHtml(pick(r)),
  sortKey: pick,
});

const COLUMNS: readonly Column[] = [
  { label: 'Strategy', numeric: false, ...text((r) => r.strategy) },
  { label: 'Symbol', numeric: false, ...text((r) => r.symbol) },
  { label: 'Timeframe', numeric: false, ...text((r) => r.timeframe) },
  { label: 'Params', numeric: false, ...text((r) => formatParams(r.params)) },
  ...KEY_STATS.map(
    (s): Column => ({
      label: s.label,
      numeric: true,
      html: (r) => escapeHtml(s.format(r.stats[s.key])),
      sortKey: (r) => numericKey(r.stats[s.key]),
    }),
  ),
  {
    label: 'Data flags',
    numeric: true,
    html: (r) =>
      r.dataQualityFlags.length === 0
        ? ''
        : `<span class="flag" title="${escapeHtml(r.dataQualityFlags.join('\n'))}">⚠ ${r.dataQualityFlags.length}</span>`,
    sortKey: (r) => String(r.dataQualityFlags.length),
  },
];

/**
 * The results as a `<table class="sortable">`, one row per result, in the given order.
 * @example resultsTableHtml(input.results) // '<table class="sortable results">…</table>'
 */
export function resultsTableHtml(results: readonly BacktestResult[]): string {
  const head = COLUMNS.map((c) => {
    const type = c.numeric ? 'number' : 'text';
    return `<th scope="col" data-type="${type}"><button type="button">${escapeHtml(c.label)}</button></th>`;
  }).join('');
  const rows = results
    .map((r) => {
      const cells = COLUMNS.map(
        (c) => `<td${c.numeric ? ' class="num"' : ''} data-sort="${escapeHtml(c.sortKey(r))}">${c.html(r)}</td>`,
      ).join('');
      return `<tr>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="sortable results">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

/**
 * Inline script that sorts every `table.sortable` by the clicked header: first click ascending,
 * then toggling; empty cells always last. Plain DOM, no library, no data inside.
 */
export const SORT_SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var numeric = th.dataset.type === 'number';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return c * dir;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
`;
