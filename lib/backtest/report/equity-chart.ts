/**
 * The equity-and-drawdown chart: the one chart definition behind both the HTML report and the
 * PNG sent in messages, so the two can never disagree.
 */
import type { EChartsOption } from 'echarts';
import type { ReportInput } from '../types.ts';
import { baseOption, COLORS, GRID_SIDES, LEGEND, TIME_AXIS_LABEL } from './chart-base.ts';
import { downsampleMinMax } from './downsample.ts';
import { keyStatsLine } from './format.ts';

/**
 * Drawdown at each point in percent of the running peak: 0 at a new high, negative below it.
 * Computed on the full series, before any downsampling, so the deepest point is exact.
 * @example drawdownPct([100, 120, 90, 130]) // Float64Array [0, 0, -25, 0]
 */
export function drawdownPct(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    // A non-positive peak only happens with a wiped-out account; report it as flat, not ±Infinity.
    out[i] = peak > 0 ? (e / peak - 1) * 100 : 0;
  }
  return out;
}

/**
 * Equity (top) and drawdown (bottom, a filled area in percent below zero), two grids over the
 * same time range. Both series are min/max-downsampled to ≤ 2,000 points.
 * @example
 * renderSvg(equityChartOption(input), { width: 1200, height: 600 })
 */
export function equityChartOption(input: ReportInput): EChartsOption {
  const { time } = input.bars;
  const { equity } = input.detail.simulation;
  if (equity.length !== time.length) {
    throw new RangeError(`equity has ${equity.length} points but bars have ${time.length}`);
  }
  const start = time.length > 0 ? time[0] : undefined;
  const end = time.length > 0 ? time[time.length - 1] : undefined;
  // Same explicit range on both x axes: that is what makes the two panels share one time axis.
  const timeAxis = { type: 'time' as const, min: start, max: end, splitLine: { show: false } };

  return {
    ...baseOption(input.title, keyStatsLine(input.detail.result.stats)),
    legend: { ...LEGEND, data: ['Equity', 'Drawdown'] },
    grid: [
      { ...GRID_SIDES, top: 72, height: '54%' },
      { ...GRID_SIDES, top: '72%', bottom: 36 },
    ],
    xAxis: [
      { ...timeAxis, gridIndex: 0, axisLabel: { show: false } },
      { ...timeAxis, gridIndex: 1, axisLabel: TIME_AXIS_LABEL },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true },
      {
        type: 'value',
        gridIndex: 1,
        max: 0,
        splitNumber: 3,
        axisLabel: { formatter: '{value}%' },
      },
    ],
    series: [
      {
        name: 'Equity',
        type: 'line',
        xAxisIndex: 0,
        yAxisIndex: 0,
        data: downsampleMinMax(time, equity),
        showSymbol: false,
        color: COLORS.equity,
        lineStyle: { width: 1.5 },
      },
      {
        name: 'Drawdown',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: downsampleMinMax(time, drawdownPct(equity)),
        showSymbol: false,
        color: COLORS.drawdown,
        lineStyle: { width: 1 },
        areaStyle: { opacity: 0.3 },
      },
    ],
  };
}
