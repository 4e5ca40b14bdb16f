/**
 * The demo's HTML backtest report: the best result of the newest daily backtest in the lake,
 * re-run through the real `candlelake backtest --report` command (results not stored again).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { CandlelakeConfig } from '../config/schema.ts';
import { openLakeQuery } from '../lake/query.ts';
import { openObjectStore } from '../object-store/index.ts';

const CLI = resolve(import.meta.dirname, '../../bin/candlelake.js');

/** The best stored result: what the report re-runs. */
export interface BestResult {
  symbol: string;
  timeframe: string;
  strategy: string;
  /** `k=v,k=v`, as `--params` takes it. */
  params: string;
  sharpe: number | null;
}

/**
 * The best result (by Sharpe) among the best-per-series of the newest backtest run, if any.
 * @example const best = await bestBacktestResult(config);
 */
export async function bestBacktestResult(config: CandlelakeConfig): Promise<BestResult | undefined> {
  const lake = await openLakeQuery(openObjectStore(config.lake), config.cacheDir);
  try {
    const [row] = await lake.rows(`
      SELECT symbol, timeframe, strategy, params, sharpe FROM backtest_runs
      WHERE is_best AND run_id = (SELECT max(run_id) FROM backtest_runs)
      ORDER BY sharpe DESC NULLS LAST, symbol, timeframe LIMIT 1`);
    if (row === undefined) return undefined;
    const params = Object.entries(JSON.parse(String(row['params'])) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(',');
    return { symbol: String(row['symbol']), timeframe: String(row['timeframe']), strategy: String(row['strategy']), params, sharpe: typeof row['sharpe'] === 'number' ? row['sharpe'] : null };
  } catch {
    // No backtest_runs view: the backtest stored nothing.
    return undefined;
  } finally {
    lake.close();
  }
}

/**
 * Writes `<reportDir>/backtest-<symbol>-<timeframe>.html` for `best`; returns its path.
 * @example const file = await writeBestReport(config, best, './demo/report', env);
 */
export async function writeBestReport(config: CandlelakeConfig, best: BestResult, reportDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const file = join(reportDir, `backtest-${best.symbol.replace('/', '-')}-${best.timeframe}.html`);
  const fromMs = Date.now() - config.backtest.windowDays * 86_400_000;
  const args = [
    CLI, 'backtest', '--symbols', best.symbol, '--timeframes', best.timeframe, '--strategy', best.strategy,
    ...(best.params ? ['--params', best.params] : []),
    '--from', new Date(fromMs).toISOString(),
    '--cash', String(config.backtest.cash), '--fee', String(config.backtest.feeRate), '--slippage-bps', String(config.backtest.slippageBps),
    '--workers', '0', '--report', file, '--no-store', '--log-level', 'warn',
  ];
  await new Promise<void>((ok, fail) => {
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) fail(new Error(`backtest report failed: ${stderr.trim().split('\n').at(-1) ?? error.message}`));
      else ok();
    });
  });
  return file;
}
