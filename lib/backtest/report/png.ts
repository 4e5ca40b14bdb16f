/**
 * SVG → PNG with resvg, for places that cannot show SVG (Telegram messages). Fonts: resvg loads
 * the system fonts and prefers DejaVu Sans; where DejaVu is missing it falls back to the first
 * system font, and where there are no fonts at all (e.g. a bare Lambda image) text is simply
 * not drawn — the lines still are, and a PNG is always produced. Pass `fontFiles` to ship a font.
 */
import { Resvg } from '@resvg/resvg-js';
import type { ReportInput } from '../types.ts';
import { equityChartOption } from './equity-chart.ts';
import { renderSvg } from './render-svg.ts';

/** Where the glyphs come from. */
export interface PngFontOptions {
  /** Extra font files to load (e.g. a TTF shipped with the Lambda). Default none. */
  fontFiles?: string[];
  /** Scan the system's font directories. Default true. */
  loadSystemFonts?: boolean;
}

/** Size and fonts of {@link renderEquityPng}. */
export interface EquityPngOptions extends PngFontOptions {
  width?: number;
  height?: number;
}

/** Telegram shows 1200 × 600 without scaling text to unreadable sizes. */
const EQUITY_PNG_DEFAULTS = { width: 1200, height: 600 } as const;

/**
 * Rasterises an SVG at its own size (no scaling) on white.
 * @example writeFileSync('chart.png', svgToPng(renderSvg(option, { width: 800, height: 400 })));
 */
export function svgToPng(svg: string, { fontFiles = [], loadSystemFonts = true }: PngFontOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'original' },
    background: '#ffffff',
    logLevel: 'off',
    // No sansSerifFamily override: resvg-js maps generic families to the default family, which
    // it replaces by the first available font when DejaVu Sans is not installed.
    font: { loadSystemFonts, fontFiles, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/**
 * The equity-and-drawdown chart (the same definition as the HTML report's) as a PNG.
 * Deterministic: same input, same machine fonts → same bytes.
 * @example
 * const png = renderEquityPng(input); // 1200 × 600
 * await telegram.sendPhoto(chatId, png);
 */
export function renderEquityPng(input: ReportInput, options: EquityPngOptions = {}): Uint8Array {
  const { width = EQUITY_PNG_DEFAULTS.width, height = EQUITY_PNG_DEFAULTS.height, ...fonts } = options;
  return svgToPng(renderSvg(equityChartOption(input), { width, height }), fonts);
}
