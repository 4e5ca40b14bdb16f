/**
 * The parameter heatmap of a two-parameter grid: one cell per (x, y) parameter pair, coloured by
 * one statistic, so a robust region (a plateau) stands out from a lucky single cell.
 */
import type { EChartsOption } from 'echarts';
import type { BacktestResult, ReportInput } from '../types.ts';
import { baseOption, GRID_SIDES } from './chart-base.ts';
import { formatNumber } from './format.ts';

/** Above this many cells the numbers no longer fit inside them; colour alone must do. */
const MAX_LABELLED_CELLS = 400;

/** Red (worst) → yellow → green (best); every headline statistic reads "higher is better". */
const HEAT_COLORS = ['#d73027', '#fee08b', '#1a9850'];

type ParamValue = number | string;

/** Numbers ascending, then strings in lexical order: axis order follows the grid's order. */
function compareParams(a: ParamValue, b: ParamValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function distinctSorted(values: ParamValue[]): ParamValue[] {
  return [...new Set(values)].sort(compareParams);
}

function metricValue(result: BacktestResult, metric: keyof BacktestResult['stats']): number | undefined {
  const v = result.stats[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Heatmap of `input.heatmap.metric` over `xParam` × `yParam`, from the results whose params have
 * both keys; `undefined` when no heatmap is asked for or no result fits. Cells with no numeric
 * value (null statistic) are left out, so they stay blank. When several results share a cell
 * (another parameter, symbol or timeframe varies too), the cell shows their mean.
 * @example
 * const option = heatmapOption({ ...input, heatmap: { xParam: 'fast', yParam: 'slow', metric: 'sharpe' } });
 * if (option) renderSvg(option, { width: 1200, height: 520 });
 */
export function heatmapOption(input: ReportInput): EChartsOption | undefined {
  if (!input.heatmap) return undefined;
  const { xParam, yParam, metric } = input.heatmap;
  const gridResults = input.results.filter((r) => xParam in r.params && yParam in r.params);
  if (gridResults.length === 0) return undefined;

  const xs = distinctSorted(gridResults.map((r) => r.params[xParam]!));
  const ys = distinctSorted(gridResults.map((r) => r.params[yParam]!));
  const sums = new Map<string, { x: number; y: number; sum: number; count: number }>();
  for (const r of gridResults) {
    const value = metricValue(r, metric);
    if (value === undefined) continue;
    const x = xs.indexOf(r.params[xParam]!);
    const y = ys.indexOf(r.params[yParam]!);
    const cell = sums.get(`${x},${y}`) ?? { x, y, sum: 0, count: 0 };
    cell.sum += value;
    cell.count += 1;
    sums.set(`${x},${y}`, cell);
  }
  const data = [...sums.values()].map((c): [number, number, number] => [c.x, c.y, c.sum / c.count]);
  const values = data.map((d) => d[2]);
  const min = values.length > 0 ? Math.min(...values) : 0;
  const max = values.length > 0 ? Math.max(...values) : 0;

  return {
    ...baseOption(`${metric} by ${xParam} × ${yParam}`, `${gridResults.length} results`),
    grid: { ...GRID_SIDES, top: 72, bottom: 100 },
    xAxis: { type: 'category', data: xs.map(String), name: xParam, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'category', data: ys.map(String), name: yParam, nameLocation: 'middle', nameGap: 50 },
    visualMap: {
      type: 'continuous',
      min,
      // A flat grid still needs a non-empty colour range.
      max: max > min ? max : min + 1,
      orient: 'horizontal',
      left: 'center',
      bottom: 8,
      itemHeight: 240,
      precision: 2,
      text: [formatNumber(max, 2), formatNumber(min, 2)],
      inRange: { color: HEAT_COLORS },
    },
    series: [
      {
        name: metric,
        type: 'heatmap',
        data,
        label: {
          show: xs.length * ys.length <= MAX_LABELLED_CELLS,
          formatter: (p) => formatNumber((p.value as number[])[2], 2),
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
      },
    ],
  };
}
