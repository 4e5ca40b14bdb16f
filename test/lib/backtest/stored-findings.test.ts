/** The quality gate also honours the validate job's stored CRITICAL findings for a series. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { runBacktest } from '../../../lib/backtest/run.ts';
import { randomWalkBars } from '../../harness/bars.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';

async function csvFile(): Promise<string> {
  const bars = randomWalkBars(200, 3);
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 200; i += 1) lines.push([bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]].join(','));
  const path = join(await mkdtemp(join(tmpdir(), 'sf-')), 'prices.csv');
  await writeFile(path, lines.join('\n'));
  return path;
}

describe('stored validate findings gate a series', () => {
  it('skipped unless allowed; when allowed, the results carry the finding', async () => {
    const path = await csvFile();
    const base = {
      source: { kind: 'file' as const, path },
      strategies: [{ name: 'sma-cross', params: { fast: '5', slow: '20' } }],
      engine: { cash: 10_000, feeRate: 0.001, slippageBps: 0, fillAt: 'next-open' as const },
      workers: 0,
      storedFindings: new Map([['prices|1h', ['prices 1h: 3 missing candles from 2024-01-02T00:00Z']]]),
    };
    const deps = { clock: fixedClock(Date.UTC(2024, 1, 1)), logger: capturingLogger() };
    const skipped = await runBacktest(deps, base);
    expect(skipped.results).toEqual([]);
    expect(skipped.skipped).toEqual([{ symbol: 'prices', timeframe: '1h', reason: expect.stringMatching(/^CRITICAL data quality \(validate: prices 1h: 3 missing candles/) }]);
    const allowed = await runBacktest(deps, { ...base, allowFlagged: true });
    expect(allowed.results).toHaveLength(1);
    expect(allowed.results[0]!.dataQualityFlags).toEqual(['validate: prices 1h: 3 missing candles from 2024-01-02T00:00Z']);
  });
});
