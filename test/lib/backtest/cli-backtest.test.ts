/**
 * `candlelake backtest` and `candlelake strategies` as a person runs them (child processes of
 * the real CLI): the stats JSON of one run, fills, the HTML and PNG outputs, a streamed grid, and
 * bad input as exit 2 with one line on stderr naming the problem. The processes start together
 * in `beforeAll` (each costs about a second); the tests assert on what each one printed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestInput } from '../../../lib/backtest/run.ts';
import { STRATEGIES } from '../../../lib/backtest/strategies/index.ts';
import type { BacktestResult, Stats, Trade } from '../../../lib/backtest/types.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { randomWalkBars } from '../../harness/bars.ts';
import { runCli, type CliExit } from '../../harness/cli.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const HEADER = 'timestamp,open,high,low,close,volume';
const row = (hour: number, close = '1.5') => `${T0 + hour * H},1,2,0.5,${close},10`;

/** Files written to the temp dir before the processes start, by name. */
const BAD_FILES: Record<string, string[]> = {
  'missing-columns.csv': ['timestamp,open,low,close', `${T0},1,0.5,1.5`, `${T0 + H},1,0.5,1.5`],
  'unsorted.csv': [HEADER, row(0), row(2), row(1)],
  'duplicate.csv': [HEADER, row(0), row(1), row(1)],
  'nan.csv': [HEADER, row(0), row(1, 'NaN'), row(2)],
};

/** Bad command lines: the arguments after `backtest`, and the one stderr line expected. */
const BAD_INPUT: Array<[name: string, args: (dir: string) => string[], stderr: (dir: string) => string]> = [
  ['missing column', (d) => ['--data', join(d, 'missing-columns.csv')], (d) => `candlelake: ${join(d, 'missing-columns.csv')}: missing columns high, volume`],
  ['unsorted timestamps', (d) => ['--data', join(d, 'unsorted.csv')], (d) => `candlelake: ${join(d, 'unsorted.csv')}: line 4: timestamps are not in ascending order (2024-01-01T01:00:00.000Z after 2024-01-01T02:00:00.000Z)`],
  ['duplicate timestamp', (d) => ['--data', join(d, 'duplicate.csv')], (d) => `candlelake: ${join(d, 'duplicate.csv')}: line 4: duplicate timestamp 2024-01-01T01:00:00.000Z`],
  ['NaN price', (d) => ['--data', join(d, 'nan.csv')], (d) => `candlelake: ${join(d, 'nan.csv')}: line 3: close is not a number (NaN)`],
  ['unknown strategy (lists the known ones)', (d) => ['--data', join(d, 'prices.csv'), '--strategy', 'nope'], () => `candlelake: unknown strategy "nope"; known: ${[...STRATEGIES.keys()].join(', ')}`],
  ['unknown parameter', (d) => ['--data', join(d, 'prices.csv'), '--params', 'speed=3'], () => 'candlelake: unknown parameter speed for sma-cross'],
  ['invalid value', (d) => ['--data', join(d, 'prices.csv'), '--params', 'fast=abc'], () => 'candlelake: sma-cross parameter fast: Invalid input: expected number, received NaN'],
  ['fast ≥ slow', (d) => ['--data', join(d, 'prices.csv'), '--params', 'fast=30,slow=20'], () => 'candlelake: sma-cross parameter fast: fast must be shorter than slow'],
];

interface SingleRunJson {
  results: number;
  outputs: string[];
  stored: string[];
  result: BacktestResult;
  trades: Trade[];
}

let dir: string;
let prices: string;
let lakeDir: string;
let env: Record<string, string>;
const exits = new Map<string, CliExit>();

function exitOf(name: string): CliExit {
  const exit = exits.get(name);
  if (!exit) throw new Error(`no CLI run named ${name}`);
  return exit;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candlelake-cli-backtest-'));
  lakeDir = join(dir, 'lake');
  env = { CANDLELAKE_LAKE: `file://${lakeDir}`, CANDLELAKE_LOG_LEVEL: 'warn' };
  prices = join(dir, 'prices.csv');
  const b = randomWalkBars(500, 11);
  // Opens away from the previous close (overnight-style gaps), so next-open and close fills differ.
  const open = Array.from(b.open, (o, i) => Math.round(o * (1 + 0.004 * Math.sin(i)) * 100) / 100);
  const lines = Array.from(b.time, (t, i) => {
    const [o, c] = [open[i]!, b.close[i]!];
    return `${new Date(t).toISOString()},${o},${Math.max(o, c) + 0.5},${Math.min(o, c) - 0.5},${c},${b.volume[i]}`;
  });
  await writeFile(prices, [HEADER, ...lines].join('\n'));
  for (const [name, content] of Object.entries(BAD_FILES)) await writeFile(join(dir, name), content.join('\n'));

  const runs: Array<[string, string[]]> = [
    ['single', ['backtest', '--data', prices, '--params', 'fast=5,slow=20', '--json', '--workers', '0']],
    // Two strategies ranked by drawdown: the report must choose which one to detail.
    [
      'close-fill-with-outputs',
      ['--json', 'backtest', '--data', prices, '--strategy', 'sma-cross,ema-cross', '--params', 'fast=5,slow=20', '--rank-by', 'maxDrawdownPct',
        '--fill', 'close', '--report', join(dir, 'out', 'r.html'), '--png', join(dir, 'out', 'e.png'), '--workers', '0'],
    ],
    ['grid', ['--json', 'backtest', '--data', prices, '--grid', 'fast=5..15:5,slow=20..40:10', '--workers', '2']],
    ['strategies', ['strategies']],
    ...BAD_INPUT.map(([name, args]): [string, string[]] => [name, ['backtest', ...args(dir)]]),
  ];
  // One process per core: more only makes them fight over the CPU.
  const limit = pLimit(availableParallelism());
  const done = await Promise.all(runs.map(([name, args]) => limit(async () => [name, await runCli(args, env)] as const)));
  for (const [name, exit] of done) exits.set(name, exit);
}, 60_000);

/** The same file run in this process, as the CLI would run it. */
async function inProcess(over: Partial<BacktestInput['engine']> = {}): Promise<BacktestResult> {
  const run = await runBacktest({ clock: fixedClock(T0), logger: capturingLogger() }, {
    source: { kind: 'file', path: prices },
    strategies: [{ name: 'sma-cross', params: { fast: '5', slow: '20' } }],
    engine: { cash: 10_000, feeRate: 0.001, slippageBps: 0, fillAt: 'next-open', ...over },
    workers: 0,
  });
  return run.results[0]!;
}

describe('candlelake backtest --data prices.csv --params fast=5,slow=20 --json', () => {
  it('exits 0 and prints the stats JSON of the run, equal to runBacktest in-process', async () => {
    const exit = exitOf('single');
    const expected = await inProcess();

    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
    const json = JSON.parse(exit.stdout) as SingleRunJson;
    expect(json.results).toBe(1);
    expect(json.result).toMatchObject({ symbol: 'prices', timeframe: '1h', strategy: 'sma-cross', params: { fast: 5, slow: 20, mode: 'long' } });
    const pick = (s: Stats) => ({ totalReturnPct: s.totalReturnPct, sharpe: s.sharpe, maxDrawdownPct: s.maxDrawdownPct, trades: s.trades, finalEquity: s.finalEquity, winRatePct: s.winRatePct });
    expect(pick(json.result.stats)).toEqual(pick(expected.stats));
    expect(json.result.stats).toEqual(expected.stats);
    expect(json.trades).toHaveLength(expected.stats.trades);
    expect(expected.stats.trades).toBeGreaterThan(2);
  });

  it('a file run stores nothing in the lake unless asked', () => {
    const json = JSON.parse(exitOf('single').stdout) as SingleRunJson;

    expect(json.stored).toEqual([]);
    expect(existsSync(join(lakeDir, 'dataset=backtest_runs'))).toBe(false);
  });
});

describe('--fill close, --report, --png', () => {
  it('--fill close fills at the signal bar close: different results, equal to in-process', async () => {
    const nextOpen = JSON.parse(exitOf('single').stdout) as SingleRunJson;
    const exit = exitOf('close-fill-with-outputs');
    const expected = await inProcess({ fillAt: 'close' });

    expect(exit.code).toBe(0);
    const atClose = JSON.parse(exit.stdout) as SingleRunJson;
    expect(atClose.result.strategy).toBe('sma-cross');
    expect(atClose.result.options.fillAt).toBe('close');
    expect(atClose.result.stats).toEqual(expected.stats);
    expect(atClose.result.stats.totalReturnPct).not.toBe(nextOpen.result.stats.totalReturnPct);
    expect(atClose.trades.map((t) => t.entryPrice)).not.toEqual(nextOpen.trades.map((t) => t.entryPrice));
  });

  it('writes the HTML report and the PNG equity chart, creating the folder', async () => {
    const json = JSON.parse(exitOf('close-fill-with-outputs').stdout) as SingleRunJson;
    const html = await readFile(join(dir, 'out', 'r.html'), 'utf8');
    const png = await readFile(join(dir, 'out', 'e.png'));

    expect(json.outputs).toEqual([join(dir, 'out', 'r.html'), join(dir, 'out', 'e.png')]);
    expect(html).toContain('<svg');
    expect(html).toMatch(/<title>prices 1h · (sma|ema)-cross \(fast=5, slow=20, mode=long\)<\/title>/);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(1000);
  });

  it('--rank-by maxDrawdownPct: the report details the run with the smallest drawdown', async () => {
    const json = JSON.parse(exitOf('close-fill-with-outputs').stdout) as { best: BacktestResult[] };
    const html = await readFile(join(dir, 'out', 'r.html'), 'utf8');

    const smallest = [...json.best].sort((a, b) => a.stats.maxDrawdownPct - b.stats.maxDrawdownPct)[0]!;
    expect(json.best.map((b) => b.strategy).sort()).toEqual(['ema-cross', 'sma-cross']);
    expect(json.best[0]!.stats.maxDrawdownPct).not.toBe(json.best[1]!.stats.maxDrawdownPct);
    expect(html).toContain(`<title>prices 1h · ${smallest.strategy} (`);
  });
});

describe('a grid streams', () => {
  const GRID = [5, 10, 15].flatMap((fast) => [20, 30, 40].map((slow) => ({ fast, slow, mode: 'long' })));

  /** The NDJSON result lines: every line up to the summary. */
  function resultLines(stdout: string): BacktestResult[] {
    const lines = stdout.split('\n');
    const summaryStart = lines.findIndex((l) => !l.startsWith('{"runId"'));
    return lines.slice(0, summaryStart).map((l) => JSON.parse(l) as BacktestResult);
  }

  it('one JSON line per result, as computed, then the summary', () => {
    const exit = exitOf('grid');

    expect(exit.code).toBe(0);
    const results = resultLines(exit.stdout);
    expect(results.map((r) => r.params)).toEqual(expect.arrayContaining(GRID));
    expect(results).toHaveLength(GRID.length);
    const rest = exit.stdout.split('\n').slice(results.length).join('\n');
    const { summary } = JSON.parse(rest) as { summary: { results: number; invalidParamSets: number; barEvaluations: number; best: BacktestResult[] } };
    expect(summary).toMatchObject({ results: 9, invalidParamSets: 0, barEvaluations: 9 * 500 });
    const bestSharpe = Math.max(...results.map((r) => r.stats.sharpe ?? -Infinity));
    expect(summary.best).toHaveLength(1);
    expect(summary.best[0]!.stats.sharpe).toBe(bestSharpe);
  });

  it('every stdout line is a JSON document (the summary is one line too)', () => {
    const lines = exitOf('grid').stdout.trimEnd().split('\n');

    expect(lines).toHaveLength(GRID.length + 1);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});

describe('candlelake strategies', () => {
  it('lists the six strategies, each with its one-line description and defaults', () => {
    const exit = exitOf('strategies');

    expect(exit.code).toBe(0);
    const lines = exit.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 * STRATEGIES.size);
    for (const [i, s] of [...STRATEGIES.values()].entries()) {
      expect(lines[2 * i]).toBe(`${s.name.padEnd(20)} ${s.description}`);
      expect(lines[2 * i + 1]).toMatch(/^\s+defaults: \S+=/);
    }
    expect(lines[1]!.trim()).toBe('defaults: fast=10,slow=30,mode=long');
  });
});

describe('bad input: exit 2 and one line on stderr naming the problem', () => {
  it.each(BAD_INPUT)('%s', (name, _args, stderr) => {
    const exit = exitOf(name);

    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toBe(`${stderr(dir)}\n`);
  });
});
