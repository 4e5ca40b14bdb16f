/**
 * A backtest run end to end: on a CSV file, and on a file lake the real update job filled from
 * the Binance stand-in (2 symbols, 1h, 20 days). Streaming, the best parameter set per series and
 * strategy, the market's lot step, the data-quality gate, the three result datasets in the lake,
 * and the day-over-day comparison.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults, DEFAULT_DRIFT_BOUNDS } from '../../../lib/backtest/compare.ts';
import { periodsPerYear } from '../../../lib/backtest/data/bars.ts';
import { loadBarsFromFile } from '../../../lib/backtest/data/file.ts';
import { loadBarsFromLake } from '../../../lib/backtest/data/lake.ts';
import { BarsInputError, StrategyInputError } from '../../../lib/backtest/errors.ts';
import { evaluate } from '../../../lib/backtest/evaluate.ts';
import { previousRunResults } from '../../../lib/backtest/previous-run.ts';
import { runBacktest, type BacktestInput, type BacktestRun } from '../../../lib/backtest/run.ts';
import { paramsKey, storeBacktestRun } from '../../../lib/backtest/store-results.ts';
import { IndicatorCache, STRATEGIES } from '../../../lib/backtest/strategies/index.ts';
import type { BacktestResult, Stats } from '../../../lib/backtest/types.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { openLakeQuery, type LakeQuery } from '../../../lib/lake/query.ts';
import { FileObjectStore } from '../../../lib/object-store/index.ts';
import { randomWalkBars } from '../../harness/bars.ts';
import { capturingLogger, updateHarness } from '../../harness/update-fixture.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';

const H = 3_600_000;
const NOW = Date.UTC(2024, 5, 10, 0, 31);
const FIRST_1H = Date.UTC(2024, 4, 21, 1); // alignUp(NOW - 20 days)
const LAST_1H = Date.UTC(2024, 5, 9, 23);
const BARS_1H = (LAST_1H - FIRST_1H) / H + 1;
const GAP_FROM = Date.UTC(2024, 5, 5, 10);
const GAP_TO = Date.UTC(2024, 5, 5, 13); // 10:00, 11:00, 12:00 missing on ETH
const ENGINE = { cash: 10_000, feeRate: 0.001, slippageBps: 0, fillAt: 'next-open' } as const;
const BTC_LOT_STEP = 0.00001;

function deps() {
  return { clock: fixedClock(NOW), logger: capturingLogger() };
}

/** Results grouped by series and strategy. */
function groups(results: readonly BacktestResult[]): Map<string, BacktestResult[]> {
  const out = new Map<string, BacktestResult[]>();
  for (const r of results) {
    const key = `${r.symbol} ${r.timeframe} ${r.strategy}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

/** A multiple of `step` up to rounding of the product. */
function isMultipleOf(value: number, step: number): boolean {
  const units = value / step;
  return Math.abs(units - Math.round(units)) < 1e-6;
}

describe('runBacktest on a file', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'candlelake-run-file-'));
    path = join(dir, 'walk.csv');
    const b = randomWalkBars(400, 7);
    const lines = Array.from(b.time, (t, i) => `${new Date(t).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`);
    await writeFile(path, ['timestamp,open,high,low,close,volume', ...lines].join('\n'));
  });

  const single = (over: Partial<BacktestInput> = {}): BacktestInput => ({
    source: { kind: 'file', path },
    strategies: [{ name: 'sma-cross', params: { fast: '5', slow: '20' } }],
    engine: ENGINE,
    workers: 0,
    ...over,
  });

  it('one parameter set: one result, and the best re-run equals a direct evaluate', async () => {
    const streamed: BacktestResult[] = [];

    const run = await runBacktest({ ...deps(), onResult: (r) => streamed.push(r) }, single({ runId: 'backtest-file-1' }));

    expect(run.results).toHaveLength(1);
    expect(streamed).toEqual(run.results);
    const result = run.results[0]!;
    expect(result).toMatchObject({
      runId: 'backtest-file-1', symbol: 'walk', timeframe: '1h', strategy: 'sma-cross',
      params: { fast: 5, slow: 20, mode: 'long' }, options: { ...ENGINE, lotStep: 0 }, dataQualityFlags: [],
    });
    expect(run.best).toHaveLength(1);
    expect(run.best[0]!.result).toBe(result);
    const bars = await loadBarsFromFile(path);
    const direct = evaluate(bars, STRATEGIES.get('sma-cross')!, { fast: 5, slow: 20, mode: 'long' }, { ...ENGINE, lotStep: 0 }, 8760, new IndicatorCache(bars));
    expect(direct.simulation.trades.length).toBeGreaterThan(2);
    expect(run.best[0]!.simulation.trades).toEqual(direct.simulation.trades);
    expect(Array.from(run.best[0]!.simulation.equity)).toEqual(Array.from(direct.simulation.equity));
    expect(result.stats).toEqual(direct.stats);
    expect(result.stats.trades).toBe(direct.simulation.trades.length);
    expect(Array.from(run.best[0]!.bars.close)).toEqual(Array.from(bars.close));
    expect(run).toMatchObject({ runId: 'backtest-file-1', skipped: [], invalidParamSets: 0, barEvaluations: 400 });
    expect(run.startedAt).toBe(new Date(NOW).toISOString());
  });

  it.each([
    ['the symbol given for the file', (file: string) => ({ source: { kind: 'file' as const, path: file, symbol: 'XYZ/USDT' } }), { symbol: 'XYZ/USDT' }],
    ['an explicit lot step', () => ({ engine: { ...ENGINE, lotStep: 1 } }), { options: { ...ENGINE, lotStep: 1 } }],
    ['fill at the close', () => ({ engine: { ...ENGINE, fillAt: 'close' as const } }), { options: { ...ENGINE, fillAt: 'close', lotStep: 0 } }],
  ])('%s is used', async (_name, over, expected) => {
    const run = await runBacktest(deps(), single(over(path)));

    expect(run.results[0]).toMatchObject(expected);
  });

  it('an explicit lot step rounds every trade quantity', async () => {
    const run = await runBacktest(deps(), single({ engine: { ...ENGINE, lotStep: 1 } }));

    const quantities = run.best[0]!.simulation.trades.map((t) => t.quantity);
    expect(quantities.length).toBeGreaterThan(0);
    expect(quantities.every((q) => Number.isInteger(q))).toBe(true);
  });

  it('days per year change the annualisation', async () => {
    const crypto = await runBacktest(deps(), single());
    const trading = await runBacktest(deps(), single({ daysPerYear: 252 }));

    expect(crypto.results[0]!.stats.totalReturnPct).toBe(trading.results[0]!.stats.totalReturnPct);
    expect(trading.results[0]!.stats.annualVolatilityPct).toBeCloseTo(crypto.results[0]!.stats.annualVolatilityPct! * Math.sqrt(252 / 365), 9);
  });

  it.each([
    ['an unknown strategy', { strategies: [{ name: 'nope' }] }, StrategyInputError, 'unknown strategy "nope"; known: sma-cross, ema-cross, rsi-reversion, bollinger-breakout, donchian-breakout, macd'],
    ['no strategy', { strategies: [] }, StrategyInputError, 'no strategy given'],
    ['an unknown parameter', { strategies: [{ name: 'sma-cross', params: { speed: '3' } }] }, StrategyInputError, 'unknown parameter speed for sma-cross'],
  ])('%s rejects before any work', async (_name, over, type, message) => {
    const error = await runBacktest(deps(), single(over)).then(() => new Error('expected a rejection'), (e: Error) => e);

    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  it('a missing file rejects with a BarsInputError', async () => {
    const missing = join(dir, 'missing.csv');

    const error = await runBacktest(deps(), single({ source: { kind: 'file', path: missing } })).then(() => new Error('expected a rejection'), (e: Error) => e);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toBe(`${missing}: no such file`);
  });
});

describe('runBacktest on a lake filled by the update job', () => {
  let standIn: BinanceStandIn;
  let store: FileObjectStore;
  let lake: LakeQuery;
  let cacheDir: string;
  /** A 20-day grid over BTC and ETH, sharpe-ranked by default. */
  const gridInput = (over: Partial<BacktestInput> = {}): BacktestInput => ({
    source: { kind: 'lake', lake, symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h'] },
    strategies: [
      { name: 'sma-cross', grid: { fast: [3, 6, 9, 30], slow: [20, 30] } }, // (30,20) and (30,30) invalid
      { name: 'rsi-reversion', grid: { period: [7, 14], mode: ['long', 'long-short'] } },
    ],
    engine: ENGINE,
    workers: 2,
    maxAgeMs: 2 * 86_400_000,
    ...over,
  });

  beforeAll(async () => {
    standIn = await startBinanceStandIn();
    standIn.gaps.add({ symbol: 'ETHUSDT', fromMs: GAP_FROM, toMs: GAP_TO });
    const lakeDir = await mkdtemp(join(tmpdir(), 'candlelake-run-lake-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'candlelake-run-cache-'));
    store = new FileObjectStore(lakeDir);
    const h = updateHarness(store, `file://${lakeDir}`, standIn, NOW);
    const record = await h.run({}, { universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h'] }, update: { initialLookbackDays: 20 } });
    if (record.details.totals.candlesWritten !== 2 * BARS_1H - 3) throw new Error(`lake fixture: wrote ${record.details.totals.candlesWritten} candles`);
    lake = await openLakeQuery(store, cacheDir);
  });
  afterAll(async () => {
    lake?.close();
    await standIn?.close();
  });

  describe('a grid over both symbols', () => {
    let run: BacktestRun;
    let streamed: BacktestResult[];
    let logger: ReturnType<typeof capturingLogger>;
    beforeAll(async () => {
      streamed = [];
      logger = capturingLogger();
      run = await runBacktest({ clock: fixedClock(NOW), logger, onResult: (r) => streamed.push(r) }, gridInput({ runId: 'backtest-lake-grid' }));
    });

    it('streams every result through onResult, in the order of run.results', () => {
      expect(streamed.length).toBe(run.results.length);
      expect(streamed.every((r, i) => r === run.results[i])).toBe(true);
    });

    it('evaluates every valid parameter set on the clean series only; invalid sets are counted', () => {
      // sma-cross: 4 × 2 = 8 sets, (30,20) and (30,30) rejected → 6; rsi-reversion 2 × 2 = 4.
      expect(run.results).toHaveLength(6 + 4);
      expect(new Set(run.results.map((r) => `${r.symbol} ${r.timeframe}`))).toEqual(new Set(['BTC/USDT 1h']));
      expect(run.invalidParamSets).toBe(2);
      expect(run.barEvaluations).toBe(10 * BARS_1H);
      expect(run.results.every((r) => r.runId === 'backtest-lake-grid' && r.dataQualityFlags.length === 0)).toBe(true);
    });

    it('skips the series with a gap, with a CRITICAL reason, and logs it', () => {
      expect(run.skipped).toEqual([
        {
          symbol: 'ETH/USDT', timeframe: '1h',
          reason: 'CRITICAL data quality (gaps: 3 missing bars in 1 range, first at 2024-06-05T10:00:00.000Z); pass --allow-flagged to backtest it anyway',
        },
      ]);
      expect(logger.lines.filter((l) => l.level === 'warn' && l.message === 'series skipped')).toHaveLength(1);
    });

    it('the best per series and strategy has the highest sharpe of its group', () => {
      const byGroup = groups(run.results);

      expect(run.best.map((b) => `${b.result.symbol} ${b.result.timeframe} ${b.result.strategy}`).sort()).toEqual([...byGroup.keys()].sort());
      for (const b of run.best) {
        const group = byGroup.get(`${b.result.symbol} ${b.result.timeframe} ${b.result.strategy}`)!;
        const sharpes = group.map((r) => r.stats.sharpe).filter((s): s is number => s !== null);
        expect(b.result.stats.sharpe).toBe(Math.max(...sharpes));
        expect(group).toContain(b.result);
      }
    });

    it('the lot step is the market lot step from the lake: every quantity is a multiple of 0.00001 BTC', () => {
      const trades = run.best.flatMap((b) => b.simulation.trades);

      expect(run.results.every((r) => r.options.lotStep === BTC_LOT_STEP)).toBe(true);
      expect(trades.length).toBeGreaterThan(0);
      expect(trades.every((t) => isMultipleOf(t.quantity, BTC_LOT_STEP))).toBe(true);
      // Not true by accident: all-in sizing without the lot step gives a quantity that is not a multiple.
      const unrounded = ENGINE.cash / (trades[0]!.entryPrice * (1 + ENGINE.feeRate));
      expect(isMultipleOf(unrounded, BTC_LOT_STEP)).toBe(false);
    });

    it('the best runs are re-run with trades and equity over the whole series', async () => {
      const bars = await loadBarsFromLake(lake, 'BTC/USDT', '1h');

      for (const b of run.best) {
        const direct = evaluate(bars, STRATEGIES.get(b.result.strategy)!, b.result.params, b.result.options, periodsPerYear(H), new IndicatorCache(bars));
        expect(b.simulation.trades).toEqual(direct.simulation.trades);
        expect(b.simulation.equity).toHaveLength(BARS_1H);
        expect(b.result.stats).toEqual(direct.stats);
      }
    });
  });

  it.each([
    ['totalReturnPct', (values: number[]) => Math.max(...values)],
    ['maxDrawdownPct', (values: number[]) => Math.min(...values)],
  ] as Array<[keyof Stats, (values: number[]) => number]>)('rankBy %s picks the best of each group', async (rankBy, pick) => {
    const run = await runBacktest(deps(), gridInput({ rankBy }));

    const byGroup = groups(run.results);
    expect(run.best).toHaveLength(byGroup.size);
    for (const b of run.best) {
      const group = byGroup.get(`${b.result.symbol} ${b.result.timeframe} ${b.result.strategy}`)!;
      expect(b.result.stats[rankBy]).toBe(pick(group.map((r) => r.stats[rankBy] as number)));
    }
  });

  it('allowFlagged: the series with a gap is backtested and its results carry the flag', async () => {
    const run = await runBacktest(deps(), gridInput({ allowFlagged: true }));

    const eth = run.results.filter((r) => r.symbol === 'ETH/USDT');
    const btc = run.results.filter((r) => r.symbol === 'BTC/USDT');
    expect(run.skipped).toEqual([]);
    expect(eth).toHaveLength(10);
    expect(eth.every((r) => r.dataQualityFlags.join() === 'gaps: 3 missing bars in 1 range, first at 2024-06-05T10:00:00.000Z')).toBe(true);
    expect(btc.every((r) => r.dataQualityFlags.length === 0)).toBe(true);
    expect(eth.every((r) => r.options.lotStep === 0.0001)).toBe(true); // ETH's own market lot step
    expect(run.barEvaluations).toBe(10 * BARS_1H + 10 * (BARS_1H - 3));
  });

  it('a series whose last bar is older than maxAgeMs is flagged stale', async () => {
    const later = LAST_1H + H + 72 * H; // the last bar closed 72 h before

    const run = await runBacktest({ clock: fixedClock(later), logger: capturingLogger() }, gridInput({ source: { kind: 'lake', lake, symbols: ['BTC/USDT'], timeframes: ['1h'] } }));

    expect(run.results).toEqual([]);
    expect(run.skipped).toEqual([{ symbol: 'BTC/USDT', timeframe: '1h', reason: 'CRITICAL data quality (stale: last bar closed 72 h ago); pass --allow-flagged to backtest it anyway' }]);
  });

  it('a series the lake does not hold is skipped with the reason, not fatal', async () => {
    const run = await runBacktest(deps(), gridInput({ source: { kind: 'lake', lake, symbols: ['BTC/USDT'], timeframes: ['1h', '4h'] } }));

    expect(run.results).toHaveLength(10);
    expect(run.skipped).toEqual([{ symbol: 'BTC/USDT', timeframe: '4h', reason: 'lake has no BTC/USDT 4h candles' }]);
  });

  it('a window [fromMs, toMs) limits the bars', async () => {
    const fromMs = Date.UTC(2024, 5, 1);
    const toMs = Date.UTC(2024, 5, 8);
    const source = { kind: 'lake' as const, lake, symbols: ['BTC/USDT'], timeframes: ['1h' as const], fromMs, toMs };

    const run = await runBacktest(deps(), gridInput({ source, maxAgeMs: undefined }));

    expect(run.skipped).toEqual([]);
    expect(run.barEvaluations).toBe(10 * 7 * 24);
    expect(run.results[0]!.stats.start).toBe(new Date(fromMs).toISOString());
    expect(run.best[0]!.bars.time[0]).toBe(fromMs);
    expect(run.best[0]!.bars.time.at(-1)).toBe(toMs - H);
  });

  it('a window that ends in the past is not flagged stale', async () => {
    const source = { kind: 'lake' as const, lake, symbols: ['BTC/USDT'], timeframes: ['1h' as const], fromMs: Date.UTC(2024, 5, 1), toMs: Date.UTC(2024, 5, 8) };

    const run = await runBacktest(deps(), gridInput({ source }));

    expect(run.skipped).toEqual([]);
    expect(run.results).toHaveLength(10);
  });

  describe('stored in the lake and compared day over day', () => {
    const RUN_1 = 'backtest-20240610T003100Z-aaaaaa';
    let first: BacktestRun;
    let keys: string[];
    let stored: LakeQuery;
    beforeAll(async () => {
      first = await runBacktest(deps(), gridInput({ runId: RUN_1, engine: { ...ENGINE, feeRate: 0 } }));
      keys = await storeBacktestRun(store, first);
      stored = await openLakeQuery(store, cacheDir); // views see the new datasets on a fresh session
    });
    afterAll(() => {
      stored?.close();
    });

    it('writes one Parquet object per dataset under the run date, backtest_runs last (it marks the run stored)', () => {
      expect(keys).toEqual([
        `dataset=backtest_trades/run_date=2024-06-10/${RUN_1}.parquet`,
        `dataset=backtest_equity/run_date=2024-06-10/${RUN_1}.parquet`,
        `dataset=backtest_runs/run_date=2024-06-10/${RUN_1}.parquet`,
      ]);
    });

    it('backtest_runs: one row per result, is_best on the best ones, statistics as computed', async () => {
      const rows = await stored.rows(`SELECT symbol, timeframe, strategy, params, is_best, fee_rate, lot_step, total_return_pct, sharpe, trades, data_quality_flags FROM backtest_runs WHERE run_id = '${RUN_1}'`);

      expect(rows).toHaveLength(first.results.length);
      const expected = first.results.map((r) => ({
        symbol: r.symbol, timeframe: r.timeframe, strategy: r.strategy, params: paramsKey(r.params),
        is_best: first.best.some((b) => b.result === r), fee_rate: 0, lot_step: BTC_LOT_STEP,
        total_return_pct: r.stats.totalReturnPct, sharpe: r.stats.sharpe, trades: r.stats.trades, data_quality_flags: '',
      }));
      const order = (a: Record<string, unknown>, b: Record<string, unknown>) => `${a['strategy']}${a['params']}`.localeCompare(`${b['strategy']}${b['params']}`);
      expect([...rows].sort(order)).toEqual(expected.sort(order));
      expect(rows.filter((r) => r['is_best'] === true)).toHaveLength(first.best.length);
    });

    it('backtest_trades: the best runs trades, one row each', async () => {
      const rows = await stored.rows(
        `SELECT strategy, params, direction, epoch_ms(entry_time)::DOUBLE AS entry_ms, epoch_ms(exit_time)::DOUBLE AS exit_ms, entry_price, exit_price, quantity, fees, pnl, closed_at_end ` +
          `FROM backtest_trades WHERE run_id = '${RUN_1}' ORDER BY strategy, entry_time`,
      );

      const expected = [...first.best]
        .sort((a, b) => a.result.strategy.localeCompare(b.result.strategy))
        .flatMap((b) => b.simulation.trades.map((t) => ({
          strategy: b.result.strategy, params: paramsKey(b.result.params), direction: t.direction, entry_ms: t.entryTimeMs, exit_ms: t.exitTimeMs,
          entry_price: t.entryPrice, exit_price: t.exitPrice, quantity: t.quantity, fees: t.fees, pnl: t.pnl, closed_at_end: t.closedAtEnd,
        })));
      expect(expected.length).toBeGreaterThan(0);
      expect(rows).toEqual(expected);
    });

    it('backtest_equity: one row per bar per best run, equal to the equity curve', async () => {
      const rows = await stored.rows(`SELECT strategy, params, epoch_ms(time)::DOUBLE AS ms, equity FROM backtest_equity WHERE run_id = '${RUN_1}' ORDER BY strategy, time`);

      expect(rows).toHaveLength(first.best.length * BARS_1H);
      for (const b of first.best) {
        const mine = rows.filter((r) => r['strategy'] === b.result.strategy);
        expect(mine.every((r) => r['params'] === paramsKey(b.result.params))).toBe(true);
        expect(mine.map((r) => r['ms'])).toEqual(Array.from(b.bars.time));
        expect(mine.map((r) => r['equity'])).toEqual(Array.from(b.simulation.equity));
      }
    });

    it('a rerun with different fees drifts: each drift names its metric and bound', async () => {
      const second = await runBacktest(deps(), gridInput({ runId: 'backtest-20240610T003100Z-bbbbbb', engine: { ...ENGINE, feeRate: 0.01 } }));

      const previous = await previousRunResults(stored, second.runId);
      const drifts = compareResults(previous.results, second.results.map((r) => ({ ...r, params: paramsKey(r.params) })));

      expect(previous.runId).toBe(RUN_1);
      expect(previous.results).toHaveLength(first.results.length);
      expect(drifts.length).toBeGreaterThan(0);
      expect(drifts.some((d) => d.metric === 'totalReturnPct')).toBe(true);
      for (const d of drifts) {
        expect(d.bound).toBe(DEFAULT_DRIFT_BOUNDS[d.metric]);
        expect(Math.abs(d.delta)).toBeGreaterThan(d.bound);
        const before = first.results.find((r) => r.strategy === d.strategy && paramsKey(r.params) === d.params)!;
        const after = second.results.find((r) => r.strategy === d.strategy && paramsKey(r.params) === d.params)!;
        expect(d).toMatchObject({ symbol: 'BTC/USDT', timeframe: '1h', previous: before.stats[d.metric], current: after.stats[d.metric] });
        expect(d.delta).toBeCloseTo(d.current - d.previous, 9);
      }
    });

    it('an identical rerun does not drift', async () => {
      const again = await runBacktest(deps(), gridInput({ runId: 'backtest-20240610T003100Z-cccccc', engine: { ...ENGINE, feeRate: 0 } }));

      const previous = await previousRunResults(stored, again.runId);
      const drifts = compareResults(previous.results, again.results.map((r) => ({ ...r, params: paramsKey(r.params) })));

      expect(previous.runId).toBe(RUN_1);
      expect(previous.results).toHaveLength(again.results.length);
      expect(drifts).toEqual([]);
    });

    it('the stored run is not its own previous run', async () => {
      const previous = await previousRunResults(stored, RUN_1);

      expect(previous).toEqual({ results: [] });
    });
  });
});
