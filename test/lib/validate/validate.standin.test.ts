/**
 * The validate job over lakes built to order by the real update job (Binance stand-in, S3 in
 * moto and a local folder): each case yields exactly the expected findings — no more, no fewer.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import type { ConfigInput } from '../../../lib/config/schema.ts';
import { createBinanceExchange } from '../../../lib/exchange/binance.ts';
import { ohlcvListParts, ohlcvReadSeries, ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { MemoryMetricsSink } from '../../../lib/metrics/index.ts';
import type { ObjectStore } from '../../../lib/object-store/types.ts';
import { readLatestValidateReport } from '../../../lib/validate/report-store.ts';
import { runValidate } from '../../../lib/validate/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { capturingLogger, SERIES_STATS, testConfig, updateHarness } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const UPDATE_AT = Date.UTC(2024, 5, 10, 0, 31);
const VALIDATE_AT = Date.UTC(2024, 5, 10, 1, 0);
const UNIVERSE: ConfigInput = { universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h', '4h', '1d'] }, features: { enabled: false } };

let standIn: BinanceStandIn;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
});
afterEach(() => {
  standIn.gaps.clear();
  standIn.faults.clear();
});
afterAll(async () => {
  await standIn.close();
});

async function validateAt(store: ObjectStore, url: string, atMs: number, overrides: ConfigInput = UNIVERSE, repair = true) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'candlelake-vcache-'));
  const config = testConfig(standIn, url, { ...overrides, cacheDir });
  const metrics = new MemoryMetricsSink();
  standIn.setNow(() => atMs);
  const report = await runValidate(
    { store, exchange: createBinanceExchange({ ...config.exchange }), clock: fixedClock(atMs), logger: capturingLogger(), config, metrics },
    { trigger: 'test', repair },
  );
  return { report, metrics };
}

/** Findings as comparable tuples, sorted. */
const summary = (findings: Array<{ kind: string; severity: string; symbol?: string; timeframe?: string }>) =>
  findings.map((f) => [f.kind, f.severity, f.symbol ?? '', f.timeframe ?? '']).sort((a, b) => a.join().localeCompare(b.join()));

describe.each(lakeBackends)('validate on a $name', (backend) => {
  it('a fresh lake: no findings, status OK, at 01:00 and at 23:59 the same day', async () => {
    const { store, url } = await backend.open();
    await updateHarness(store, url, standIn, UPDATE_AT).run({}, UNIVERSE);
    for (const at of [VALIDATE_AT, Date.UTC(2024, 5, 10, 23, 59)]) {
      const { report, metrics } = await validateAt(store, url, at);
      expect(summary(report.findings)).toEqual([]);
      expect(report.status).toBe('OK');
      expect(report.coverage.map((c) => [c.timeframe, c.have, c.total])).toEqual([['1h', 2, 2], ['4h', 2, 2], ['1d', 2, 2]]);
      expect(metrics.latest('ValidateStatus')?.value).toBe(0);
      expect(metrics.latest('StaleSeries')?.value).toBe(0);
    }
    expect((await readLatestValidateReport(store))?.status).toBe('OK');
  });

  it('a missed update: every series stale within one run (1h CRITICAL, 4h and 1d WARNING)', async () => {
    const { store, url } = await backend.open();
    await updateHarness(store, url, standIn, UPDATE_AT).run({}, UNIVERSE);
    const { report, metrics } = await validateAt(store, url, VALIDATE_AT + 24 * H);
    expect(summary(report.findings)).toEqual(summary([
      { kind: 'stale', severity: 'CRITICAL', symbol: 'BTC/USDT', timeframe: '1h' },
      { kind: 'stale', severity: 'CRITICAL', symbol: 'ETH/USDT', timeframe: '1h' },
      { kind: 'stale', severity: 'WARNING', symbol: 'BTC/USDT', timeframe: '4h' },
      { kind: 'stale', severity: 'WARNING', symbol: 'ETH/USDT', timeframe: '4h' },
      { kind: 'stale', severity: 'WARNING', symbol: 'BTC/USDT', timeframe: '1d' },
      { kind: 'stale', severity: 'WARNING', symbol: 'ETH/USDT', timeframe: '1d' },
    ]));
    expect(report.status).toBe('CRITICAL');
    expect(metrics.latest('StaleSeries')?.value).toBe(6);
    expect(metrics.latest('ValidateStatus')?.value).toBe(2);
  });

  it('one symbol missing: reported per timeframe, "2/3 symbols"', async () => {
    const { store, url } = await backend.open();
    await updateHarness(store, url, standIn, UPDATE_AT).run({}, UNIVERSE);
    const three = { ...UNIVERSE, universe: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], timeframes: ['1h', '4h', '1d'] as const } } as ConfigInput;
    const { report } = await validateAt(store, url, VALIDATE_AT, three);
    expect(summary(report.findings)).toEqual(summary(['1h', '4h', '1d'].map((tf) => ({ kind: 'missing-series', severity: 'CRITICAL', symbol: 'SOL/USDT', timeframe: tf }))));
    expect(report.coverage.map((c) => [c.timeframe, c.have, c.total, c.missing])).toEqual([
      ['1h', 2, 3, ['SOL/USDT']], ['4h', 2, 3, ['SOL/USDT']], ['1d', 2, 3, ['SOL/USDT']],
    ]);
  });

  it('a gap the exchange has: one INFO finding, remembered, not reported again', async () => {
    const { store, url } = await backend.open();
    standIn.gaps.add({ symbol: 'BTCUSDT', fromMs: Date.UTC(2024, 5, 5, 10), toMs: Date.UTC(2024, 5, 5, 13) });
    await updateHarness(store, url, standIn, UPDATE_AT).run({}, UNIVERSE);
    const first = await validateAt(store, url, VALIDATE_AT);
    expect(summary(first.report.findings)).toEqual([['gap-exchange', 'INFO', 'BTC/USDT', '1h']]);
    expect(first.report.findings[0]!.details).toMatchObject({ fromMs: Date.UTC(2024, 5, 5, 10), toMs: Date.UTC(2024, 5, 5, 12), missing: 3 });
    expect(first.report.status).toBe('OK');
    const second = await validateAt(store, url, VALIDATE_AT);
    expect(summary(second.report.findings)).toEqual([]);
  });

  it('a gap our ingestion left: re-fetched through the update code, the series ends complete', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, UPDATE_AT);
    for (let run = 0; run < 3; run += 1) {
      await h.run({}, UNIVERSE);
      h.clock.advance(3 * H);
    }
    // The middle run's 1h part never made it to the lake: 00:00–02:00 are missing, the exchange has them.
    const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    expect(parts).toHaveLength(3);
    await store.delete(parts[1]!.key);
    const { report } = await validateAt(store, url, VALIDATE_AT + 6 * H);
    expect(summary(report.findings)).toEqual([['repaired', 'INFO', 'ETH/USDT', '1h']]);
    expect(report.repairs).toMatchObject({ candlesWritten: 3, notRepaired: 0 });
    const [eth] = await h.rows(SERIES_STATS('ETH/USDT', '1h'));
    expect(eth).toMatchObject({ n: 245, distinct_n: 245, last: Date.UTC(2024, 5, 10, 5) });
    expect(summary((await validateAt(store, url, VALIDATE_AT + 6 * H)).report.findings)).toEqual([]);
  });

  it('a corrupt Parquet object: CRITICAL naming its key; the rest still checked; its candles re-fetched', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, UPDATE_AT);
    await h.run({}, UNIVERSE);
    h.clock.advance(3 * H);
    await h.run({}, UNIVERSE);
    h.clock.advance(3 * H);
    await h.run({}, UNIVERSE);
    const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    expect(parts).toHaveLength(3);
    await store.put(parts[1]!.key, 'PAR1 this is not parquet');
    const { report } = await validateAt(store, url, VALIDATE_AT + 6 * H);
    expect(summary(report.findings)).toEqual(summary([
      { kind: 'unreadable-object', severity: 'CRITICAL' },
      { kind: 'repaired', severity: 'INFO', symbol: 'BTC/USDT', timeframe: '1h' },
    ]));
    expect(report.findings.find((f) => f.kind === 'unreadable-object')!.text).toContain(parts[1]!.key);
    // The bad bytes are kept aside, the candles are back, and the next run is clean.
    expect((await store.list('quarantine/')).map((o) => o.key)).toEqual([expect.stringMatching(new RegExp(`^quarantine/validate-.*/${parts[1]!.key}$`))]);
    const [btc] = await h.rows(SERIES_STATS('BTC/USDT', '1h'));
    expect(btc).toMatchObject({ n: 245, distinct_n: 245 });
    expect(summary((await validateAt(store, url, VALIDATE_AT + 6 * H)).report.findings)).toEqual([]);
  });

  it('a 4h candle that disagrees with its four 1h candles: CRITICAL cross-timeframe', async () => {
    const { store, url } = await backend.open();
    await updateHarness(store, url, standIn, UPDATE_AT).run({}, UNIVERSE);
    const series = { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h' as const };
    const parts = await ohlcvListParts(store, series);
    const s = await ohlcvReadSeries(store, series, parts);
    for (const p of parts) await store.delete(p.key);
    const candles = Array.from(s.openTimeMs, (t, i) => ({
      openTimeMs: t, open: s.open[i]!, high: s.high[i]! * (i === 10 ? 1.01 : 1), low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]!,
    }));
    await ohlcvWrite(store, series, candles);
    const { report } = await validateAt(store, url, VALIDATE_AT);
    expect(summary(report.findings)).toEqual([['cross-timeframe', 'CRITICAL', 'ETH/USDT', '4h']]);
    expect(report.findings[0]!.details).toMatchObject({ count: 1 });
  });
});

describe('the backtest gate reads the latest validate report', () => {
  it('criticalFindingsBySeries keeps CRITICAL findings per series, as texts', async () => {
    const { criticalFindingsBySeries } = await import('../../../lib/validate/report-store.ts');
    const map = criticalFindingsBySeries({
      findings: [
        { kind: 'stale', severity: 'CRITICAL', key: 'a', symbol: 'BTC/USDT', timeframe: '1h', text: 'BTC/USDT 1h is 24 h behind' },
        { kind: 'stale', severity: 'WARNING', key: 'b', symbol: 'BTC/USDT', timeframe: '4h', text: 'warn' },
        { kind: 'unreadable-object', severity: 'CRITICAL', key: 'c', text: 'no series' },
      ],
    } as never);
    expect([...map.entries()]).toEqual([['BTC/USDT|1h', ['BTC/USDT 1h is 24 h behind']]]);
    expect(criticalFindingsBySeries(undefined).size).toBe(0);
  });
});
