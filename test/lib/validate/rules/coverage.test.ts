import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '../../../../lib/config/universe.ts';
import { coverageFindings, coverageSummaryLine } from '../../../../lib/validate/rules/coverage.ts';
import type { CoverageSummary, MarketStatus } from '../../../../lib/validate/rules/types.ts';

const status = (entries: Array<[string, MarketStatus]>) => new Map(entries);

describe('coverageFindings', () => {
  it('a missing series is CRITICAL, a delisted symbol INFO once, a listed one in BREAK still missing', () => {
    const result = coverageFindings({
      exchange: 'binance',
      symbols: ['BTC/USDT', 'ETH/USDT', 'LUNA/USDT', 'NEW/USDT', 'BRK/USDT'],
      timeframes: ['1h', '1d'],
      present: new Set(['BTC/USDT|1h', 'BTC/USDT|1d', 'ETH/USDT|1h', 'LUNA/USDT|1h', 'NEW/USDT|1h', 'BRK/USDT|1h']),
      marketStatus: status([
        ['LUNA/USDT', { listed: false, status: 'delisted' }],
        ['BRK/USDT', { listed: true, status: 'BREAK' }],
      ]),
    });
    expect(result.summary).toEqual([
      { timeframe: '1h', have: 5, total: 5, missing: [], delisted: [] },
      { timeframe: '1d', have: 1, total: 5, missing: ['ETH/USDT', 'NEW/USDT', 'BRK/USDT'], delisted: ['LUNA/USDT'] },
    ]);
    expect(result.findings.map((f) => [f.kind, f.severity, f.key])).toEqual([
      ['missing-series', 'CRITICAL', 'validate:missing-series:binance:ETH/USDT:1d'],
      ['missing-series', 'CRITICAL', 'validate:missing-series:binance:NEW/USDT:1d'],
      ['missing-series', 'CRITICAL', 'validate:missing-series:binance:BRK/USDT:1d'],
      ['delisted', 'INFO', 'validate:delisted:binance:LUNA/USDT'],
    ]);
    expect(result.findings[0]).toMatchObject({ symbol: 'ETH/USDT', timeframe: '1d', text: 'ETH/USDT 1d has no data in the lake' });
    expect(result.findings[3]).toEqual({
      kind: 'delisted',
      severity: 'INFO',
      key: 'validate:delisted:binance:LUNA/USDT',
      symbol: 'LUNA/USDT',
      text: 'LUNA/USDT is no longer listed on binance (delisted); no data on 1d',
      details: { status: 'delisted', timeframes: ['1d'] },
    });
  });

  it('a delisted symbol missing on several timeframes is one finding naming them all', () => {
    const { findings, summary } = coverageFindings({
      exchange: 'binance',
      symbols: ['LUNA/USDT'],
      timeframes: ['15m', '1h', '4h', '1d'],
      present: new Set(),
      marketStatus: status([['LUNA/USDT', { listed: false, status: 'BREAK' }]]),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toEqual({ status: 'BREAK', timeframes: ['15m', '1h', '4h', '1d'] });
    expect(summary.map((row) => [row.have, row.total, row.delisted.length, row.missing.length])).toEqual([
      [0, 1, 1, 0],
      [0, 1, 1, 0],
      [0, 1, 1, 0],
      [0, 1, 1, 0],
    ]);
  });

  it('a delisted symbol that still has its data is simply covered', () => {
    const { findings, summary } = coverageFindings({
      exchange: 'binance',
      symbols: ['LUNA/USDT'],
      timeframes: ['1h'],
      present: new Set(['LUNA/USDT|1h']),
      marketStatus: status([['LUNA/USDT', { listed: false, status: 'delisted' }]]),
    });
    expect(findings).toEqual([]);
    expect(summary).toEqual([{ timeframe: '1h', have: 1, total: 1, missing: [], delisted: [] }]);
  });

  it('the default universe with two series missing on 1h reads "58/60 symbols on 1h"', () => {
    const present = new Set(DEFAULT_SYMBOLS.filter((s) => s !== 'PEPE/USDT' && s !== 'WIF/USDT').map((s) => `${s}|1h`));
    const { findings, summary } = coverageFindings({ exchange: 'binance', symbols: DEFAULT_SYMBOLS, timeframes: ['1h'], present, marketStatus: new Map() });
    expect(summary[0]?.missing).toEqual(['PEPE/USDT', 'WIF/USDT']);
    expect(coverageSummaryLine(summary[0]!)).toBe('58/60 symbols on 1h');
    expect(findings).toHaveLength(2);
  });

  it('counts a symbol configured twice once', () => {
    const { summary, findings } = coverageFindings({
      exchange: 'binance',
      symbols: ['BTC/USDT', 'BTC/USDT', 'ETH/USDT'],
      timeframes: ['1h'],
      present: new Set(['BTC/USDT|1h']),
      marketStatus: new Map(),
    });
    expect(summary).toEqual([{ timeframe: '1h', have: 1, total: 2, missing: ['ETH/USDT'], delisted: [] }]);
    expect(findings).toHaveLength(1);
  });

  it('no symbols or no timeframes: nothing to report', () => {
    expect(coverageFindings({ exchange: 'binance', symbols: [], timeframes: ['1h'], present: new Set(), marketStatus: new Map() })).toEqual({
      findings: [],
      summary: [{ timeframe: '1h', have: 0, total: 0, missing: [], delisted: [] }],
    });
    expect(coverageFindings({ exchange: 'binance', symbols: ['BTC/USDT'], timeframes: [], present: new Set(), marketStatus: new Map() })).toEqual({
      findings: [],
      summary: [],
    });
  });
});

describe('coverageSummaryLine', () => {
  it.each<[CoverageSummary, string]>([
    [{ timeframe: '1h', have: 60, total: 60, missing: [], delisted: [] }, '60/60 symbols on 1h'],
    [{ timeframe: '1d', have: 58, total: 60, missing: ['A/USDT'], delisted: ['B/USDT'] }, '58/60 symbols on 1d (1 delisted)'],
    [{ timeframe: '15m', have: 0, total: 0, missing: [], delisted: [] }, '0/0 symbols on 15m'],
  ])('%o -> %s', (row, line) => {
    expect(coverageSummaryLine(row)).toBe(line);
  });
});
