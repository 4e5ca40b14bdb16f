/**
 * Backtest results as lake datasets, one Parquet object per run and dataset, partitioned by run
 * date: `backtest_runs` (every evaluated parameter set with its statistics), and for the best
 * set per series and strategy `backtest_trades` and `backtest_equity`. Queryable with
 * `candlelake query` through views of the same names.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sqlString, withConnection } from '../lake/duckdb.ts';
import { backtestDatasetKey, type BacktestDataset } from '../lake/keys.ts';
import { PARQUET_COPY_OPTIONS } from '../lake/schema.ts';
import { withTempDir } from '../lake/temp-dir.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { BacktestRun } from './run.ts';
import type { Stats } from './types.ts';

/** Statistic name → column name (snake case) and DuckDB type. */
const STAT_COLUMNS: ReadonlyArray<[keyof Stats, string, string]> = [
  ['start', 'start', 'TIMESTAMP'], ['end', 'end', 'TIMESTAMP'], ['durationDays', 'duration_days', 'DOUBLE'],
  ['exposurePct', 'exposure_pct', 'DOUBLE'], ['finalEquity', 'final_equity', 'DOUBLE'], ['peakEquity', 'peak_equity', 'DOUBLE'],
  ['totalReturnPct', 'total_return_pct', 'DOUBLE'], ['buyHoldReturnPct', 'buy_hold_return_pct', 'DOUBLE'],
  ['cagrPct', 'cagr_pct', 'DOUBLE'], ['annualReturnPct', 'annual_return_pct', 'DOUBLE'],
  ['annualVolatilityPct', 'annual_volatility_pct', 'DOUBLE'], ['sharpe', 'sharpe', 'DOUBLE'], ['sortino', 'sortino', 'DOUBLE'],
  ['calmar', 'calmar', 'DOUBLE'], ['maxDrawdownPct', 'max_drawdown_pct', 'DOUBLE'],
  ['maxDrawdownDurationDays', 'max_drawdown_duration_days', 'DOUBLE'], ['avgDrawdownPct', 'avg_drawdown_pct', 'DOUBLE'],
  ['trades', 'trades', 'INTEGER'], ['winRatePct', 'win_rate_pct', 'DOUBLE'], ['bestTradePct', 'best_trade_pct', 'DOUBLE'],
  ['worstTradePct', 'worst_trade_pct', 'DOUBLE'], ['avgTradePct', 'avg_trade_pct', 'DOUBLE'],
  ['avgTradeDurationDays', 'avg_trade_duration_days', 'DOUBLE'], ['maxTradeDurationDays', 'max_trade_duration_days', 'DOUBLE'],
  ['profitFactor', 'profit_factor', 'DOUBLE'], ['expectancy', 'expectancy', 'DOUBLE'], ['sqn', 'sqn', 'DOUBLE'],
];

const KEY_COLUMNS: ReadonlyArray<[string, string]> = [
  ['run_id', 'VARCHAR'], ['symbol', 'VARCHAR'], ['timeframe', 'VARCHAR'], ['strategy', 'VARCHAR'], ['params', 'VARCHAR'],
];

type Row = Record<string, unknown>;

async function writeDataset(store: ObjectStore, dataset: BacktestDataset, run: BacktestRun, columns: ReadonlyArray<[string, string]>, rows: Row[], dir: string, unitId?: string): Promise<string | undefined> {
  if (rows.length === 0) return undefined;
  const json = join(dir, `${dataset}.ndjson`);
  const parquet = join(dir, `${dataset}.parquet`);
  await writeFile(json, rows.map((r) => JSON.stringify(r)).join('\n'));
  const spec = `{${columns.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`;
  await withConnection((c) => c.run(`COPY (SELECT * FROM read_json(${sqlString(json)}, format = 'newline_delimited', columns = ${spec})) TO ${sqlString(parquet)} (${PARQUET_COPY_OPTIONS})`));
  const key = backtestDatasetKey(dataset, Date.parse(run.startedAt), run.runId, unitId);
  await store.put(key, await readFile(parquet), { contentType: 'application/vnd.apache.parquet' });
  return key;
}

/** Canonical JSON of parameters (sorted keys), so equal sets compare equal across runs. */
export function paramsKey(params: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * Writes the run's three datasets (per unit for the daily task); returns the keys written.
 * @example const keys = await storeBacktestRun(store, run);
 */
export async function storeBacktestRun(store: ObjectStore, run: BacktestRun, unitId?: string): Promise<string[]> {
  const bestSet = new Set(run.best.map((b) => b.result));
  return withTempDir(async (dir) => {
    const runs = run.results.map((r) => ({
      run_id: r.runId, symbol: r.symbol, timeframe: r.timeframe, strategy: r.strategy, params: paramsKey(r.params),
      cash: r.options.cash, fee_rate: r.options.feeRate, slippage_bps: r.options.slippageBps, lot_step: r.options.lotStep, fill_at: r.options.fillAt,
      is_best: bestSet.has(r), data_quality_flags: r.dataQualityFlags.join('; '),
      ...Object.fromEntries(STAT_COLUMNS.map(([stat, column]) => [column, r.stats[stat]])),
    }));
    const runColumns: Array<[string, string]> = [
      ...KEY_COLUMNS, ['cash', 'DOUBLE'], ['fee_rate', 'DOUBLE'], ['slippage_bps', 'DOUBLE'], ['lot_step', 'DOUBLE'], ['fill_at', 'VARCHAR'],
      ['is_best', 'BOOLEAN'], ['data_quality_flags', 'VARCHAR'], ...STAT_COLUMNS.map(([, column, type]) => [column, type] as [string, string]),
    ];
    const trades = run.best.flatMap(({ result: r, simulation }) =>
      simulation.trades.map((t) => ({
        run_id: r.runId, symbol: r.symbol, timeframe: r.timeframe, strategy: r.strategy, params: paramsKey(r.params),
        direction: t.direction, entry_time: new Date(t.entryTimeMs).toISOString(), exit_time: new Date(t.exitTimeMs).toISOString(),
        entry_price: t.entryPrice, exit_price: t.exitPrice, quantity: t.quantity, fees: t.fees, pnl: t.pnl, return_pct: t.returnPct, closed_at_end: t.closedAtEnd,
      })),
    );
    const tradeColumns: Array<[string, string]> = [
      ...KEY_COLUMNS, ['direction', 'TINYINT'], ['entry_time', 'TIMESTAMP'], ['exit_time', 'TIMESTAMP'], ['entry_price', 'DOUBLE'],
      ['exit_price', 'DOUBLE'], ['quantity', 'DOUBLE'], ['fees', 'DOUBLE'], ['pnl', 'DOUBLE'], ['return_pct', 'DOUBLE'], ['closed_at_end', 'BOOLEAN'],
    ];
    const equity = run.best.flatMap(({ bars, result: r, simulation }) => {
      let peak = r.options.cash;
      return Array.from(simulation.equity, (value, i) => {
        peak = Math.max(peak, value);
        return {
          run_id: r.runId, symbol: r.symbol, timeframe: r.timeframe, strategy: r.strategy, params: paramsKey(r.params),
          time: new Date(bars.time[i]!).toISOString(), equity: value, drawdown_pct: peak > 0 ? (1 - value / peak) * 100 : 0,
        };
      });
    });
    const equityColumns: Array<[string, string]> = [...KEY_COLUMNS, ['time', 'TIMESTAMP'], ['equity', 'DOUBLE'], ['drawdown_pct', 'DOUBLE']];
    const keys = [
      // backtest_runs last: for the daily task its object marks the unit done (the checkpoint).
      await writeDataset(store, 'backtest_trades', run, tradeColumns, trades, dir, unitId),
      await writeDataset(store, 'backtest_equity', run, equityColumns, equity, dir, unitId),
      await writeDataset(store, 'backtest_runs', run, runColumns, runs, dir, unitId),
    ];
    return keys.filter((k): k is string => k !== undefined);
  });
}
