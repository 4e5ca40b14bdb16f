/** Reads the previous backtest run's results from the lake, for the day-over-day comparison. */
import type { LakeQuery } from '../lake/query.ts';
import type { ComparableResult } from './compare.ts';
import type { Stats } from './types.ts';

const STAT_FIELDS: ReadonlyArray<[keyof Stats, string]> = [
  ['totalReturnPct', 'total_return_pct'], ['sharpe', 'sharpe'], ['maxDrawdownPct', 'max_drawdown_pct'],
  ['winRatePct', 'win_rate_pct'], ['trades', 'trades'], ['durationDays', 'duration_days'], ['sortino', 'sortino'],
  ['cagrPct', 'cagr_pct'], ['profitFactor', 'profit_factor'], ['exposurePct', 'exposure_pct'],
];

/**
 * The results of the newest stored run other than `currentRunId`, or none.
 * @example const previous = await previousRunResults(lake, run.runId);
 */
export async function previousRunResults(lake: LakeQuery, currentRunId: string): Promise<{ runId?: string; results: ComparableResult[] }> {
  const ids = await lake.rows(
    `SELECT run_id FROM backtest_runs WHERE run_id <> '${currentRunId.replace(/'/g, "''")}' ORDER BY run_id DESC LIMIT 1`,
  );
  const runId = ids[0]?.['run_id'];
  if (typeof runId !== 'string') return { results: [] };
  const rows = await lake.rows(
    `SELECT symbol, timeframe, strategy, params, ${STAT_FIELDS.map(([, c]) => c).join(', ')} FROM backtest_runs WHERE run_id = '${runId.replace(/'/g, "''")}'`,
  );
  return {
    runId,
    results: rows.map((row) => ({
      symbol: String(row['symbol']), timeframe: String(row['timeframe']), strategy: String(row['strategy']), params: String(row['params']),
      stats: Object.fromEntries(STAT_FIELDS.map(([stat, column]) => [stat, typeof row[column] === 'number' ? row[column] : null])) as Partial<Stats>,
    })),
  };
}
