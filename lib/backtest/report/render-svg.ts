/**
 * Server-side rendering of an ECharts option to an SVG string, with no DOM. Registers only the
 * chart types and components the report uses, which keeps the bundled Lambda small.
 */
import type { EChartsOption } from 'echarts';
import { HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, VisualMapComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([
  LineChart,
  ScatterChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  VisualMapComponent,
  SVGRenderer,
]);

/** Size in pixels of a rendered chart. */
export interface SvgSize {
  width: number;
  height: number;
}

/** {@link SvgSize} plus how to name the SVG's internal ids. */
export interface RenderSvgOptions extends SvgSize {
  /**
   * Prefix for the ids and classes inside the SVG (clip paths, hover styles). zrender numbers them
   * with process-wide counters; renaming makes the output depend only on the input, and distinct
   * prefixes keep several SVGs on one page from colliding. Default `chart`.
   */
  idPrefix?: string;
}

/**
 * Renames zrender's ids and classes (`zr3-c0`, `zr3-cls-27`: painter and class numbers come from
 * process-wide counters) to `<prefix>-c0`, `<prefix>-cls-0`, numbered per kind in order of first
 * appearance. Only attribute values, `url(#…)` references and style-rule starts are matched,
 * never drawn text.
 */
function stableIds(svg: string, prefix: string): string {
  const renamed = new Map<string, string>();
  const nextByKind = new Map<string, number>();
  const zrId = /(id="|class="|url\(#|href="#|\n\.)zr\d+-((?:[a-z]+-)*[a-z]*)(\d+)/g;
  return svg.replace(zrId, (_match, lead: string, kind: string, n: string) => {
    let id = renamed.get(kind + n);
    if (id === undefined) {
      const next = nextByKind.get(kind) ?? 0;
      nextByKind.set(kind, next + 1);
      id = `${prefix}-${kind}${next}`;
      renamed.set(kind + n, id);
    }
    return lead + id;
  });
}

/**
 * Renders `option` to a standalone `<svg>` document of exactly `width` × `height` pixels.
 * @example
 * const svg = renderSvg(equityChartOption(input), { width: 1200, height: 600 });
 */
export function renderSvg(option: EChartsOption, options: RenderSvgOptions): string {
  const { width, height, idPrefix = 'chart' } = options;
  for (const [name, value] of Object.entries({ width, height })) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  if (!/^[A-Za-z][\w-]*$/.test(idPrefix)) throw new RangeError(`idPrefix must be an identifier, got ${idPrefix}`);

  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return stableIds(chart.renderToSVGString(), idPrefix);
  } finally {
    chart.dispose();
  }
}
