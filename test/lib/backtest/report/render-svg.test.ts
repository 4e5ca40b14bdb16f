import { describe, expect, it } from 'vitest';
import { COLORS } from '../../../../lib/backtest/report/chart-base.ts';
import { equityChartOption, priceChartOption, renderSvg } from '../../../../lib/backtest/report/index.ts';
import { makeReportInput } from './fixture.ts';

describe('renderSvg', () => {
  const input = makeReportInput();

  it.each([
    [1200, 600],
    [640, 320],
  ])('renders an <svg> document of %i × %i', (width, height) => {
    const svg = renderSvg(equityChartOption(input), { width, height });

    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(`width="${width}" height="${height}"`);
    expect(svg).toContain(`viewBox="0 0 ${width} ${height}"`);
  });

  it('contains the series paths: an equity line through every point, a filled drawdown area', () => {
    const svg = renderSvg(equityChartOption(input), { width: 1200, height: 600 });

    const paths = [...svg.matchAll(/<path d="([^"]+)"[^>]*>/g)];
    const equityLine = paths.find(([tag]) => tag.includes(`stroke="${COLORS.equity}"`));
    expect(equityLine).toBeDefined();
    // One move plus one segment per further point: the 200-bar line is drawn in full.
    expect(equityLine![1]!.match(/[ML]/g)!.length).toBeGreaterThanOrEqual(199);
    // The drawdown area: a filled path in the drawdown colour (ECharts writes fill colours as given).
    expect(paths.some(([tag]) => tag.includes(`fill="${COLORS.drawdown}"`))).toBe(true);
  });

  it('draws the trade markers', () => {
    const svg = renderSvg(priceChartOption(input), { width: 1200, height: 500 });

    expect(svg).toContain(`fill="${COLORS.long}"`);
    expect(svg).toContain(`fill="${COLORS.short}"`);
  });

  it('names internal ids after the prefix, so equal input gives equal output', () => {
    const a = renderSvg(equityChartOption(input), { width: 800, height: 400, idPrefix: 'eq' });
    const b = renderSvg(equityChartOption(input), { width: 800, height: 400, idPrefix: 'eq' });

    expect(a).toBe(b);
    expect(a).not.toMatch(/zr\d+-/);
    expect(a).toContain('id="eq-c0"');
  });

  it.each([
    { width: 0, height: 300 },
    { width: 800, height: 10.5 },
  ])('rejects size $width × $height', (size) => {
    expect(() => renderSvg(equityChartOption(input), size)).toThrow(RangeError);
  });
});
