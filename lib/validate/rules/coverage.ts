/**
 * Coverage: does every configured symbol have data on every configured timeframe? A symbol the
 * exchange no longer lists is reported once as delisted (INFO), not as missing.
 */
import { findingKey } from './format.ts';
import type { CoverageInput, CoverageResult, CoverageSummary, Finding } from './types.ts';
import type { Timeframe } from '../../config/universe.ts';

/**
 * Coverage findings and a per-timeframe summary.
 *
 * - A configured symbol without data on a timeframe is 'missing-series' CRITICAL, one finding per
 *   (symbol, timeframe), unless the exchange no longer lists it (`listed: false`).
 * - Those delisted symbols get one 'delisted' INFO finding each, naming the timeframes without data.
 *   A symbol missing from `marketStatus` is assumed listed; a listed symbol in another status
 *   (BREAK, …) is still missing.
 * - Symbols are de-duplicated, keeping the configured order; `total` counts each once.
 *
 * @example
 * coverageFindings({ exchange: 'binance', symbols: ['BTC/USDT', 'LUNA/USDT'], timeframes: ['1h'],
 *   present: new Set(['BTC/USDT|1h']), marketStatus: new Map([['LUNA/USDT', { listed: false, status: 'delisted' }]]) })
 * // { findings: [{ kind: 'delisted', severity: 'INFO', key: 'validate:delisted:binance:LUNA/USDT', … }],
 * //   summary: [{ timeframe: '1h', have: 1, total: 2, missing: [], delisted: ['LUNA/USDT'] }] }
 */
export function coverageFindings(input: CoverageInput): CoverageResult {
  const { exchange, timeframes, present, marketStatus } = input;
  const symbols = [...new Set(input.symbols)];
  const missingFindings: Finding[] = [];
  const delistedTimeframes = new Map<string, Timeframe[]>();
  const summary: CoverageSummary[] = [];

  for (const timeframe of timeframes) {
    const row: CoverageSummary = { timeframe, have: 0, total: symbols.length, missing: [], delisted: [] };
    for (const symbol of symbols) {
      if (present.has(`${symbol}|${timeframe}`)) {
        row.have += 1;
      } else if (marketStatus.get(symbol)?.listed === false) {
        row.delisted.push(symbol);
        delistedTimeframes.set(symbol, [...(delistedTimeframes.get(symbol) ?? []), timeframe]);
      } else {
        row.missing.push(symbol);
        missingFindings.push({
          kind: 'missing-series',
          severity: 'CRITICAL',
          key: findingKey('missing-series', exchange, symbol, timeframe),
          symbol,
          timeframe,
          text: `${symbol} ${timeframe} has no data in the lake`,
        });
      }
    }
    summary.push(row);
  }

  const delistedFindings: Finding[] = [...delistedTimeframes].map(([symbol, tfs]) => {
    const status = marketStatus.get(symbol)?.status ?? 'unlisted';
    return {
      kind: 'delisted',
      severity: 'INFO',
      key: findingKey('delisted', exchange, symbol),
      symbol,
      text: `${symbol} is no longer listed on ${exchange} (${status}); no data on ${tfs.join(', ')}`,
      details: { status, timeframes: tfs },
    };
  });
  return { findings: [...missingFindings, ...delistedFindings], summary };
}

/**
 * One summary row as a digest line.
 * @example coverageSummaryLine({ timeframe: '1h', have: 58, total: 60, missing: ['A/USDT'], delisted: ['B/USDT'] })
 * // '58/60 symbols on 1h (1 delisted)'
 */
export function coverageSummaryLine(row: CoverageSummary): string {
  const delisted = row.delisted.length > 0 ? ` (${row.delisted.length} delisted)` : '';
  return `${row.have}/${row.total} symbols on ${row.timeframe}${delisted}`;
}
