import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { equityChartOption, renderEquityPng, renderSvg, svgToPng } from '../../../../lib/backtest/report/index.ts';
import { makeReportInput } from './fixture.ts';
import { PNG_SIGNATURE, pngSize } from './helpers.ts';

const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

describe('renderEquityPng', () => {
  const input = makeReportInput();

  it('returns a PNG of 1200 × 600 by default', () => {
    const png = renderEquityPng(input);

    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ chunk: 'IHDR', width: 1200, height: 600 });
  });

  it('honours the requested size', () => {
    expect(pngSize(renderEquityPng(input, { width: 640, height: 360 }))).toMatchObject({ width: 640, height: 360 });
  });

  it('is byte-identical across calls (deterministic)', () => {
    const a = renderEquityPng(input);
    const b = renderEquityPng(input);

    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('svgToPng', () => {
  const svg = renderSvg(equityChartOption(makeReportInput()), { width: 600, height: 300 });

  it('still produces the PNG on a machine with no fonts (text is left out, lines are drawn)', () => {
    const png = svgToPng(svg, { loadSystemFonts: false });

    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toMatchObject({ width: 600, height: 300 });
  });

  it.skipIf(!existsSync(DEJAVU_SANS))('draws text when given a font file', () => {
    const withoutFonts = svgToPng(svg, { loadSystemFonts: false });

    const withFont = svgToPng(svg, { loadSystemFonts: false, fontFiles: [DEJAVU_SANS] });

    // Text adds pixels, so the image (and its compressed size) differs from the font-less one.
    expect(withFont.length).toBeGreaterThan(withoutFonts.length);
  });
});
