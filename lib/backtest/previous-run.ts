/** Reads the previous backtest run's results from the lake, for the day-over-day comparison. */
import type { LakeQuery } from '../lake/query.ts';
import { compareResults, type ComparableResult, type Drift } from './compare.ts';
import type { Stats } from './types.ts';

const STAT_FIELDS: ReadonlyArray<[keyof Stats, string]> = [
  ['totalReturnPct', 'total_return_pct'], ['sharpe', 'sharpe'], ['maxDrawdownPct', 'max_drawdown_pct'],
  ['winRatePct', 'win_rate_pct'], ['trades', 'trades'], ['durationDays', 'duration_days'], ['sortino', 'sortino'],
  ['cagrPct', 'cagr_pct'], ['profitFactor', 'profit_factor'], ['exposurePct', 'exposure_pct'],
];

/**
 * Every stored result of one run.
 * @example const results = await runResults(lake, 'backtest-2024-07-09');
 */
export async function runResults(lake: LakeQuery, runId: string, options: { onlyBest?: boolean } = {}): Promise<ComparableResult[]> {
  const rows = await lake.rows(
    `SELECT symbol, timeframe, strategy, params, ${STAT_FIELDS.map(([, c]) => c).join(', ')} FROM backtest_runs ` +
      `WHERE run_id = '${runId.replace(/'/g, "''")}'${options.onlyBest ? ' AND is_best' : ''}`,
  );
  return rows.map((row) => ({
    symbol: String(row['symbol']), timeframe: String(row['timeframe']), strategy: String(row['strategy']), params: String(row['params']),
    stats: Object.fromEntries(STAT_FIELDS.map(([stat, column]) => [stat, typeof row[column] === 'number' ? row[column] : null])) as Partial<Stats>,
  }));
}

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
  return { runId, results: await runResults(lake, runId) };
}

/**
 * Day over day: the newest daily run's best results (`backtest-YYYY-MM-DD`, one per series and
 * strategy) against the same parameters in the run before. Only the best: across a whole grid a
 * one-day shift of the window always moves some corner beyond its bounds, which is noise.
 * @example const { runIds, drifts } = await dailyRunDrift(lake);
 */
export async function dailyRunDrift(lake: LakeQuery): Promise<{ runIds: string[]; drifts: Drift[] }> {
  const ids = (await lake.rows(`SELECT DISTINCT run_id FROM backtest_runs WHERE run_id LIKE 'backtest-20%' ORDER BY run_id DESC LIMIT 2`))
    .map((r) => String(r['run_id']));
  if (ids.length < 2) return { runIds: ids, drifts: [] };
  const [current, previous] = await Promise.all([runResults(lake, ids[0]!, { onlyBest: true }), runResults(lake, ids[1]!)]);
  return { runIds: ids, drifts: compareResults(previous, current) };
}
