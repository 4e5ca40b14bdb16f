/**
 * The digest's photo: the equity curve of the latest daily run's best result, drawn by the same
 * chart definition as the backtest report, from what the run stored in the lake.
 */
import { renderEquityPng } from '../backtest/report/index.ts';
import type { BacktestResult, ReportInput, Stats } from '../backtest/types.ts';
import { openLakeQuery } from '../lake/query.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** Stats columns of `backtest_runs` the chart's header line shows. */
const HEADER_STATS: ReadonlyArray<[keyof Stats, string]> = [
  ['totalReturnPct', 'total_return_pct'], ['cagrPct', 'cagr_pct'], ['sharpe', 'sharpe'], ['maxDrawdownPct', 'max_drawdown_pct'],
  ['trades', 'trades'], ['winRatePct', 'win_rate_pct'], ['exposurePct', 'exposure_pct'],
];

/**
 * The PNG and a one-line caption, or undefined when no daily run is stored yet.
 * @example const photo = await bestEquityPhoto(store, '.cache/lake'); if (photo) await telegram.sendPhoto(photo.png, photo.caption);
 */
export async function bestEquityPhoto(store: ObjectStore, cacheDir: string): Promise<{ png: Uint8Array; caption: string } | undefined> {
  const lake = await openLakeQuery(store, cacheDir);
  try {
    const best = await lake.rows(
      `SELECT run_id, symbol, timeframe, strategy, params, ${HEADER_STATS.map(([, c]) => c).join(', ')} FROM backtest_runs ` +
        `WHERE is_best AND run_id = (SELECT max(run_id) FROM backtest_runs WHERE run_id LIKE 'backtest-20%') ORDER BY sharpe DESC NULLS LAST LIMIT 1`,
    ).catch(() => []);
    const top = best[0];
    if (!top) return undefined;
    const q = (v: unknown) => `'${String(v).replace(/'/g, "''")}'`;
    const points = await lake.rows(
      `SELECT epoch_ms(time)::DOUBLE AS t, equity FROM backtest_equity WHERE run_id = ${q(top['run_id'])} AND symbol = ${q(top['symbol'])} ` +
        `AND timeframe = ${q(top['timeframe'])} AND strategy = ${q(top['strategy'])} AND params = ${q(top['params'])} ORDER BY t`,
    );
    if (points.length < 2) return undefined;
    const time = Float64Array.from(points.map((p) => p['t'] as number));
    const equity = Float64Array.from(points.map((p) => p['equity'] as number));
    const stats = Object.fromEntries(HEADER_STATS.map(([key, column]) => [key, top[column] ?? null])) as unknown as Stats;
    const title = `${top['symbol']} ${top['timeframe']} · ${top['strategy']} ${top['params']}`;
    const input: ReportInput = {
      title,
      // The equity chart reads only time and equity; the price columns are not drawn here.
      bars: { symbol: String(top['symbol']), timeframe: String(top['timeframe']), time, open: equity, high: equity, low: equity, close: equity, volume: equity },
      detail: { result: { stats } as BacktestResult, simulation: { equity, trades: [], exposureBars: 0 } },
      results: [],
    };
    return { png: renderEquityPng(input), caption: title };
  } finally {
    lake.close();
  }
}
