import { describe, expect, it } from 'vitest';
import { renderEquityPng, renderHtmlReport } from '../../../../lib/backtest/report/index.ts';
import { makeReportInput } from './fixture.ts';
import { pngSize } from './helpers.ts';

const MAX_REPORT_BYTES = 1.5 * 1024 * 1024;

describe('a 35,000-bar report', () => {
  const input = makeReportInput({ bars: 35_000 });

  it('stays small thanks to downsampling', () => {
    const html = renderHtmlReport(input);

    expect(Buffer.byteLength(html)).toBeLessThan(MAX_REPORT_BYTES);
  });

  it('renders its PNG at the requested size', () => {
    expect(pngSize(renderEquityPng(input))).toMatchObject({ width: 1200, height: 600 });
  });
});
