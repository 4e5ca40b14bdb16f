import { describe, expect, it } from 'vitest';
import { sentimentFindings, type SentimentSeriesStats } from '../../../../lib/validate/rules/sentiment.ts';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2024, 5, 10, 2, 30);

const series = (over: Partial<SentimentSeriesStats>): SentimentSeriesStats => ({ dataset: 'funding', series: 'BTC/USDT', rows: 90, lastMs: Date.UTC(2024, 5, 10, 0), cadenceMs: 8 * H, gaps: [], ...over });

describe('sentimentFindings', () => {
  it('says nothing about fresh series without holes', () => {
    expect(sentimentFindings([series({}), series({ dataset: 'fear_greed', series: 'index', lastMs: Date.UTC(2024, 5, 9), cadenceMs: D })], NOW)).toEqual([]);
  });

  it('a daily series is stale after 2 days, macro after 10: WARNING with the lag', () => {
    const findings = sentimentFindings([
      series({ dataset: 'fear_greed', series: 'index', lastMs: NOW - 2 * D - H, cadenceMs: D }),
      series({ dataset: 'macro', series: 'DGS10', lastMs: NOW - 9 * D, cadenceMs: D }),
      series({ dataset: 'macro', series: 'SP500', lastMs: NOW - 11 * D, cadenceMs: D }),
    ], NOW);
    expect(findings.map((f) => [f.kind, f.severity, f.key])).toEqual([
      ['stale', 'WARNING', 'validate:stale:sentiment:fear_greed:index'],
      ['stale', 'WARNING', 'validate:stale:sentiment:macro:SP500'],
    ]);
    expect(findings[0]!.details).toMatchObject({ lagMs: 2 * D + H });
    expect(findings[0]!.text).toMatch(/49 h ago \(limit 48 h\)$/);
  });

  it('names each hole in the series’ own cadence; macro holes (weekends) are not findings', () => {
    const gap = { fromMs: Date.UTC(2024, 5, 5, 8), toMs: Date.UTC(2024, 5, 6, 0) };
    const findings = sentimentFindings([series({ gaps: [gap] }), series({ dataset: 'macro', series: 'DGS10', cadenceMs: D, gaps: [gap] })], NOW);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'gap-sentiment', severity: 'WARNING', key: 'validate:gap-sentiment:funding:BTC/USDT:2024-06-05T08:00:00.000Z', details: expect.objectContaining({ missing: 2 }) }),
    ]);
  });
});
