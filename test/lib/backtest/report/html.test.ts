import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../../lib/backtest/report/index.ts';
import { SORT_SCRIPT } from '../../../../lib/backtest/report/html-table.ts';
import { makeReportInput } from './fixture.ts';

const MALICIOUS = '<img src=x onerror=alert(1)>';

function tbodyRows(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return body.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
}

describe('renderHtmlReport', () => {
  const input = makeReportInput();
  const html = renderHtmlReport(input);

  it('is one HTML document', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('loads nothing from outside: no script src, no remote URLs in src, href, url() or @import', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\s(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    // The only http URLs are the SVG namespace identifiers, which are names, not resources.
    const urls = new Set(html.match(/https?:\/\/[^\s"'<>)]+/g));
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });

  it('inlines the equity, price and heatmap SVGs', () => {
    expect(html.match(/<svg\b/g)).toHaveLength(3);
    expect(html).toContain('<h2>Equity and drawdown</h2>');
    expect(html).toContain('<h2>Price and trades</h2>');
    expect(html).toContain('<h2>Parameter heatmap</h2>');
  });

  it('leaves the heatmap out when none is asked for', () => {
    const plain = renderHtmlReport(makeReportInput({ heatmap: false }));

    expect(plain.match(/<svg\b/g)).toHaveLength(2);
    expect(plain).not.toContain('Parameter heatmap');
  });

  it('has a sortable table with one row per result', () => {
    expect(html).toContain('<table class="sortable results">');
    expect(tbodyRows(html)).toHaveLength(input.results.length);
    expect(html).toContain('fast=10, slow=100');
  });

  it('shows the key statistics of the detailed run, with — for undefined ones', () => {
    const noTrades = makeReportInput();
    noTrades.detail.result.stats = { ...noTrades.detail.result.stats, sharpe: null, winRatePct: null };

    const page = renderHtmlReport(noTrades);

    const header = /<header>[\s\S]*?<\/header>/.exec(page)![0];
    expect(header).toContain('<dt>Sharpe</dt><dd>—</dd>');
    expect(header).toContain('<dt>Win rate</dt><dd>—</dd>');
    expect(header).toContain('<dt>Max drawdown</dt>');
  });

  it.each([
    [[], false],
    [['gap: 3 missing candles'], true],
  ])('shows the data-quality banner only when flagged (flags %j)', (flags, shown) => {
    const page = renderHtmlReport(makeReportInput({ dataQualityFlags: flags }));

    expect(page.includes('class="banner"')).toBe(shown);
  });

  it('escapes strings from data: symbol, params, flags, title', () => {
    const evil = makeReportInput({ symbol: MALICIOUS, dataQualityFlags: [MALICIOUS] });
    evil.title = MALICIOUS;
    evil.results[0]!.params = { fast: 5, note: MALICIOUS };

    const page = renderHtmlReport(evil);

    expect(page).not.toContain('<img');
    // No tag carries an onerror attribute (quoted attribute values, where escaped data may sit, removed first).
    expect(page.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\sonerror=/i);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('is the same for the same input', () => {
    expect(renderHtmlReport(input)).toBe(html);
  });

  it('ships a sort script that parses', () => {
    expect(() => new Function(SORT_SCRIPT)).not.toThrow();
  });
});
