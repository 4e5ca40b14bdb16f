/**
 * Backtest reports: the HTML report and the equity PNG, both drawn from the same ECharts option
 * builders. Everything else in this folder is an implementation detail.
 */
export { equityChartOption, drawdownPct } from './equity-chart.ts';
export { priceChartOption } from './price-chart.ts';
export { heatmapOption } from './heatmap-chart.ts';
export { renderSvg, type RenderSvgOptions, type SvgSize } from './render-svg.ts';
export { renderEquityPng, svgToPng, type EquityPngOptions, type PngFontOptions } from './png.ts';
export { renderHtmlReport } from './html.ts';
export { downsampleMinMax, MAX_POINTS_PER_SERIES } from './downsample.ts';
