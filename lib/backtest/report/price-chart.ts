/**
 * The price chart of the detailed run: the close, with each trade's entry and exit marked at
 * its fill time and fill price.
 */
import type { EChartsOption, ScatterSeriesOption } from 'echarts';
import type { ReportInput, Trade } from '../types.ts';
import { baseOption, COLORS, GRID_SIDES, LEGEND, TIME_AXIS_LABEL } from './chart-base.ts';
import { downsampleMinMax, type Point } from './downsample.ts';

const MARKER_SIZE = 11;
/** Exit marker: a ring, thick enough to read at PNG resolution. */
const HOLLOW = { symbol: 'emptyCircle', itemStyle: { borderWidth: 2 } } as const;

function markerSeries(name: string, points: Point[], style: ScatterSeriesOption): ScatterSeriesOption {
  // Markers are never downsampled: every trade is drawn, whatever the series length.
  return { name, type: 'scatter', data: points, symbolSize: MARKER_SIZE, z: 3, ...style };
}

const entry = (t: Trade): Point => [t.entryTimeMs, t.entryPrice];
const exit = (t: Trade): Point => [t.exitTimeMs, t.exitPrice];

/**
 * Close line (min/max-downsampled to ≤ 2,000 points) plus trade markers: long entries ▲ green,
 * short entries ▼ red, exits as hollow circles in the colour of the trade's direction.
 * Series names: `Close`, `Long entry`, `Short entry`, `Long exit`, `Short exit`.
 * @example
 * renderSvg(priceChartOption(input), { width: 1200, height: 500 })
 */
export function priceChartOption(input: ReportInput): EChartsOption {
  const { bars } = input;
  const { trades } = input.detail.simulation;
  for (const t of trades) {
    if (t.entryIndex < 0 || t.exitIndex >= bars.time.length || t.exitIndex < t.entryIndex) {
      throw new RangeError(`trade ${t.entryIndex}→${t.exitIndex} is outside the ${bars.time.length} bars`);
    }
  }
  const longs = trades.filter((t) => t.direction === 1);
  const shorts = trades.filter((t) => t.direction === -1);

  return {
    ...baseOption(`${bars.symbol} ${bars.timeframe} — close and trades`, `${trades.length} trades`),
    legend: LEGEND,
    grid: { ...GRID_SIDES, top: 72, bottom: 36 },
    xAxis: { type: 'time', splitLine: { show: false }, axisLabel: TIME_AXIS_LABEL },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: 'Close',
        type: 'line',
        data: downsampleMinMax(bars.time, bars.close),
        showSymbol: false,
        color: COLORS.price,
        lineStyle: { width: 1 },
      },
      markerSeries('Long entry', longs.map(entry), { symbol: 'triangle', color: COLORS.long }),
      markerSeries('Short entry', shorts.map(entry), { symbol: 'triangle', symbolRotate: 180, color: COLORS.short }),
      markerSeries('Long exit', longs.map(exit), { ...HOLLOW, color: COLORS.long }),
      markerSeries('Short exit', shorts.map(exit), { ...HOLLOW, color: COLORS.short }),
    ],
  };
}
