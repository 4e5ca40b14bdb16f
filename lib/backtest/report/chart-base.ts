/**
 * What every report chart shares: fixed rendering (no animation, UTC time labels, white
 * background), the font, the palette and the title block. Changing the look of all charts at
 * once happens here.
 */
import type { EChartsOption } from 'echarts';

/**
 * DejaVu Sans first because the PNG renderer finds it on our machines; browsers and resvg fall
 * back to any sans-serif font when it is missing (see png.ts).
 */
export const CHART_FONT_FAMILY = 'DejaVu Sans, sans-serif';

/** Series colours; long/short match the trade markers' meaning (green = long, red = short). */
export const COLORS = {
  equity: '#2563eb',
  drawdown: '#dc2626',
  price: '#475569',
  long: '#16a34a',
  short: '#dc2626',
  text: '#1f2937',
  muted: '#6b7280',
} as const;

/** Left/right margins shared by every grid, so stacked panels line up on the same time axis. */
export const GRID_SIDES = { left: 80, right: 40 } as const;

/**
 * Time-axis labels by zoom level: "Jan 5" for days, "Jan 2024" for months. ECharts' default
 * marks days with a bare "5", which reads poorly on a static image with no tooltip.
 */
export const TIME_AXIS_LABEL = {
  hideOverlap: true,
  formatter: {
    year: '{yyyy}',
    month: '{MMM} {yyyy}',
    day: '{MMM} {d}',
    hour: '{HH}:{mm}',
    minute: '{HH}:{mm}',
    second: '{HH}:{mm}:{ss}',
    millisecond: '{HH}:{mm}:{ss}',
    none: '{yyyy}-{MM}-{dd} {HH}:{mm}',
  },
};

/** Legend at the top right; a wide gap because SSR measures text narrower than DejaVu draws it. */
export const LEGEND = { top: 12, right: GRID_SIDES.right, itemGap: 24 } as const;

/**
 * The option fields common to all report charts. `animation: false` and `useUTC: true` make the
 * same input draw the same picture on any machine and time zone (the PNG must be byte-stable).
 * @example
 * const option: EChartsOption = { ...baseOption('BTC/USDT 1h', 'Total return +12%'), series: [] };
 */
export function baseOption(title: string, subtitle?: string): EChartsOption {
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: {
      text: title,
      subtext: subtitle ?? '',
      left: GRID_SIDES.left - 10,
      top: 8,
      textStyle: { fontSize: 16, color: COLORS.text },
      subtextStyle: { fontSize: 12, color: COLORS.muted },
    },
  };
}
