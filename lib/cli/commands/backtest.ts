/**
 * `candlelake backtest`: one strategy on a file for research, or grids over the lake; and
 * `candlelake strategies`, the list of strategies with their parameters.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { TIMEFRAMES, type Timeframe } from '../../config/universe.ts';
import { openLakeQuery, type LakeQuery } from '../../lake/query.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { compareResults, type Drift } from '../../backtest/compare.ts';
import { BarsInputError, StrategyInputError } from '../../backtest/errors.ts';
import { parseGrid, parseParamList } from '../../backtest/params-spec.ts';
import { previousRunResults } from '../../backtest/previous-run.ts';
import { renderEquityPng, renderHtmlReport } from '../../backtest/report/index.ts';
import { isBetter, runBacktest, type BacktestRun, type SeriesSource } from '../../backtest/run.ts';
import { paramsKey, storeBacktestRun } from '../../backtest/store-results.ts';
import { STRATEGIES } from '../../backtest/strategies/index.ts';
import { criticalFindingsBySeries, readLatestValidateReport } from '../../validate/report-store.ts';
import type { BacktestResult, Stats } from '../../backtest/types.ts';
import { ConfigError } from '../../config/errors.ts';
import { action, cliContext, splitFlagList } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { optionalTimeFlag } from '../time-flag.ts';

interface BacktestFlags {
  data?: string;
  symbol?: string;
  symbols?: string;
  timeframes?: string;
  from?: string;
  to?: string;
  strategy: string;
  params?: string;
  grid?: string;
  cash: string;
  fee: string;
  slippageBps: string;
  lotStep?: string;
  fill: 'next-open' | 'close';
  daysPerYear: string;
  allowFlagged?: boolean;
  workers?: string;
  rankBy: string;
  report?: string;
  png?: string;
  store?: boolean;
}

function numberFlag(name: string, value: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new ConfigError(`Invalid option ${name}: "${value}"`, [name]);
  return n;
}

const fmt = (v: number | null, unit = '') => (v === null ? '—' : `${v.toFixed(2)}${unit}`);

/** One line per result, for streaming grids. */
export function formatResultLine(r: BacktestResult): string {
  const s = r.stats;
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(',');
  const flag = r.dataQualityFlags.length > 0 ? ' [DATA QUALITY FLAGGED]' : '';
  return `${r.symbol} ${r.timeframe} ${r.strategy} ${params}: return ${fmt(s.totalReturnPct, '%')}, sharpe ${fmt(s.sharpe)}, max DD ${fmt(s.maxDrawdownPct, '%')}, trades ${s.trades}${flag}`;
}

/** The statistics of one result as an aligned block (backtesting.py style). */
export function formatStats(r: BacktestResult): string {
  const rows: Array<[string, string]> = [
    ['Series', `${r.symbol} ${r.timeframe}`], ['Strategy', `${r.strategy} ${JSON.stringify(r.params)}`],
    ...(Object.entries(r.stats) as Array<[keyof Stats, unknown]>).map(([k, v]) => [k, typeof v === 'number' ? String(Math.round(v * 1e4) / 1e4) : String(v ?? '—')] as [string, string]),
  ];
  if (r.dataQualityFlags.length > 0) rows.push(['DATA QUALITY', r.dataQualityFlags.join('; ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function formatDrift(d: Drift): string {
  return `DRIFT ${d.symbol} ${d.timeframe} ${d.strategy} ${d.params}: ${d.metric} ${d.previous.toFixed(2)} → ${d.current.toFixed(2)} (beyond ±${d.bound})`;
}

async function writeOutputs(run: BacktestRun, flags: BacktestFlags): Promise<string[]> {
  const written: string[] = [];
  const rankBy = flags.rankBy as keyof Stats;
  // The report shows the best of the best: one series and strategy in detail, its grid in the table.
  const detail = run.best.reduce<BacktestRun['best'][number] | undefined>(
    (top, b) => (!top || isBetter(rankBy, b.result.stats, top.result.stats) ? b : top),
    undefined,
  );
  if (!detail) return written;
  const params = Object.entries(detail.result.params).map(([k, v]) => `${k}=${v}`).join(', ');
  const grid = flags.grid ? Object.keys(parseGrid(flags.grid)).filter((k) => k !== 'mode') : [];
  const input = {
    title: `${detail.result.symbol} ${detail.result.timeframe} · ${detail.result.strategy} (${params})`,
    bars: detail.bars,
    detail: { result: detail.result, simulation: detail.simulation },
    results: run.results.filter((r) => r.symbol === detail.result.symbol && r.timeframe === detail.result.timeframe && r.strategy === detail.result.strategy),
    ...(grid.length >= 2 ? { heatmap: { xParam: grid[0]!, yParam: grid[1]!, metric: rankBy } } : {}),
  };
  if (flags.report) {
    await mkdir(dirname(flags.report), { recursive: true });
    await writeFile(flags.report, renderHtmlReport(input));
    written.push(flags.report);
  }
  if (flags.png) {
    await mkdir(dirname(flags.png), { recursive: true });
    await writeFile(flags.png, renderEquityPng(input));
    written.push(flags.png);
  }
  return written;
}

export function registerBacktest(program: Command): void {
  program
    .command('strategies')
    .description('list the strategies and their parameters')
    .action(
      action(async (_flags: unknown, command: Command) => {
        const ctx = cliContext(command);
        const list = [...STRATEGIES.values()].map((s) => ({ name: s.name, description: s.description, defaults: s.params.parse({}) }));
        ctx.print(list, list.map((s) => `${s.name.padEnd(20)} ${s.description}\n${''.padEnd(20)} defaults: ${Object.entries(s.defaults as object).map(([k, v]) => `${k}=${v}`).join(',')}`).join('\n'));
        return EXIT.ok;
      }),
    );

  program
    .command('backtest')
    .description('backtest strategies on a CSV/Parquet file or on the lake; grids run on all cores')
    .option('--data <file>', 'prices.csv or prices.parquet (timestamp/date, open, high, low, close, volume)')
    .option('--symbol <name>', 'name of the series in --data (default: the file name)')
    .option('--symbols <list>', 'lake symbols, e.g. BTC/USDT,ETH/USDT (default: the configured universe)')
    .option('--timeframes <list>', `lake timeframes among ${TIMEFRAMES.join(', ')} (default: 1h)`)
    .option('--from <time>', 'first bar (lake): YYYY-MM-DD, an ISO time (UTC unless zoned), or relative (-30d)')
    .option('--to <time>', 'end of the window (lake, exclusive), same forms as --from')
    .option('--strategy <names>', 'strategy, or a comma list (see `candlelake strategies`)', 'sma-cross')
    .option('--params <list>', 'parameters, e.g. fast=10,slow=30,mode=long-short')
    .option('--grid <spec>', 'parameter grid, e.g. fast=5..50:5,slow=20..200:10,mode=long|long-short')
    .option('--cash <amount>', 'starting cash in the quote currency', '10000')
    .option('--fee <rate>', 'fee as a fraction of notional per fill (0.001 = 0.1%)', '0.001')
    .option('--slippage-bps <bps>', 'slippage against each fill, basis points', '0')
    .option('--lot-step <step>', 'round quantities down to this (default: the market lot step from the lake, else fractional)')
    .addOption(new Option('--fill <when>', 'fill a signal at the next bar open or at the signal bar close').choices(['next-open', 'close']).default('next-open'))
    .option('--days-per-year <days>', 'days per year for annualising', '365')
    .option('--allow-flagged', 'backtest series with CRITICAL data-quality flags anyway (results carry the flag)')
    .option('--workers <n>', 'worker threads (default: all cores; 0 = none)')
    .option('--rank-by <stat>', 'statistic that picks the best parameter set', 'sharpe')
    .option('--report <file.html>', 'write a self-contained HTML report of the best result')
    .option('--png <file.png>', 'write the equity curve of the best result as PNG')
    .option('--store', 'store the results in the lake (default when the data comes from the lake)')
    .option('--no-store', 'do not store the results')
    .action(
      action(async (flags: BacktestFlags, command: Command) => {
        const ctx = cliContext(command);
        try {
          const engine = {
            cash: numberFlag('--cash', flags.cash, (n) => n > 0),
            feeRate: numberFlag('--fee', flags.fee, (n) => n >= 0 && n < 1),
            slippageBps: numberFlag('--slippage-bps', flags.slippageBps, (n) => n >= 0),
            fillAt: flags.fill,
            ...(flags.lotStep !== undefined ? { lotStep: numberFlag('--lot-step', flags.lotStep, (n) => n >= 0) } : {}),
          };
          const rankBy = flags.rankBy as keyof Stats;
          const strategies = splitFlagList(flags.strategy).map((name) => ({
            name,
            params: parseParamList(flags.params),
            ...(flags.grid ? { grid: parseGrid(flags.grid) } : {}),
          }));
          let lake: LakeQuery | undefined;
          let source: SeriesSource;
          let storedFindings: Map<string, string[]> | undefined;
          if (flags.data) {
            source = { kind: 'file', path: flags.data, ...(flags.symbol ? { symbol: flags.symbol } : {}) };
          } else {
            const lakeStore = openObjectStore(ctx.config.lake);
            lake = await openLakeQuery(lakeStore, ctx.config.cacheDir);
            storedFindings = criticalFindingsBySeries(await readLatestValidateReport(lakeStore));
            const fromMs = optionalTimeFlag('--from', flags.from, Date.now());
            const toMs = optionalTimeFlag('--to', flags.to, Date.now());
            source = {
              kind: 'lake', lake,
              symbols: flags.symbols ? splitFlagList(flags.symbols) : ctx.config.universe.symbols,
              timeframes: (flags.timeframes ? splitFlagList(flags.timeframes) : ['1h']) as Timeframe[],
              ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}),
            };
          }
          const gridMode = Boolean(flags.grid) || (source.kind === 'lake' && (source.symbols.length > 1 || source.timeframes.length > 1));
          try {
            const run = await runBacktest(
              {
                clock: systemClock,
                logger: ctx.logger,
                // Grids stream: each result is printed the moment it is computed.
                onResult: gridMode ? (r) => process.stdout.write(`${ctx.json ? JSON.stringify(r) : formatResultLine(r)}\n`) : undefined,
              },
              {
                source, strategies, engine, rankBy, allowFlagged: Boolean(flags.allowFlagged),
                daysPerYear: numberFlag('--days-per-year', flags.daysPerYear, (n) => n > 0 && n <= 366),
                ...(flags.workers !== undefined ? { workers: numberFlag('--workers', flags.workers, (n) => Number.isInteger(n) && n >= 0) } : {}),
                maxAgeMs: 2 * 86_400_000,
                ...(storedFindings ? { storedFindings } : {}),
              },
            );
            const outputs = await writeOutputs(run, flags);
            const store = flags.store ?? source.kind === 'lake';
            let stored: string[] = [];
            let drifts: Drift[] = [];
            if (store && run.results.length > 0) {
              const lakeStore = openObjectStore(ctx.config.lake);
              lake ??= await openLakeQuery(lakeStore, ctx.config.cacheDir);
              const previous = await previousRunResults(lake, run.runId);
              drifts = compareResults(previous.results, run.results.map((r) => ({ ...r, params: paramsKey(r.params) })));
              stored = await storeBacktestRun(lakeStore, run);
            }
            const summary = {
              runId: run.runId, results: run.results.length, skipped: run.skipped, invalidParamSets: run.invalidParamSets,
              barEvaluations: run.barEvaluations, evaluationSeconds: run.evaluationSeconds, stored, outputs, drifts,
              best: run.best.map((b) => b.result),
            };
            if (gridMode && ctx.json) {
              // NDJSON: the summary is one line like every result before it.
              process.stdout.write(`${JSON.stringify({ summary })}\n`);
            } else if (gridMode) {
              ctx.print({ summary }, [
                ...run.skipped.map((s) => `skipped ${s.symbol} ${s.timeframe}: ${s.reason}`),
                ...drifts.map(formatDrift),
                `${run.results.length} results (${run.invalidParamSets} invalid parameter sets skipped), ${(run.barEvaluations / 1e6).toFixed(1)}M bar evaluations in ${run.evaluationSeconds.toFixed(2)} s`,
                ...run.best.map((b) => `best ${formatResultLine(b.result)}`),
                ...outputs.map((o) => `wrote ${o}`),
              ].join('\n'));
            } else {
              const only = run.best[0];
              if (!only) {
                ctx.print(summary, run.skipped.map((s) => `skipped ${s.symbol} ${s.timeframe}: ${s.reason}`).join('\n'));
                return EXIT.failed;
              }
              ctx.print({ ...summary, result: only.result, trades: only.simulation.trades }, [formatStats(only.result), ...drifts.map(formatDrift), ...outputs.map((o) => `wrote ${o}`)].join('\n'));
            }
            return run.results.length > 0 ? EXIT.ok : EXIT.failed;
          } finally {
            lake?.close();
          }
        } catch (error) {
          if (error instanceof BarsInputError || error instanceof StrategyInputError) throw new ConfigError(error.message);
          throw error;
        }
      }),
    );
}
