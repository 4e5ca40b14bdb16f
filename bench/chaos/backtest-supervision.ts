/**
 * Group 4: the daily backtest's child process crashes, or hangs (stops beating), under the local
 * supervisor: `candlelake drill crash|hang` runs the real supervisor, policy and task in child
 * processes with shortened intervals. Loss: the drilled lake's `backtest_runs` rows against those
 * of an uninterrupted `candlelake backtest-task` on a copy of the same lake.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLakeQuery } from '../../lib/lake/query.ts';
import { FileObjectStore } from '../../lib/object-store/file.ts';
import { startBinanceStandIn } from '../../lib/replay-exchange/binance/index.ts';
import { startCliProcess as startCli } from '../../test/harness/cli-process.ts';
import type { Scenario, ScenarioOutcome } from './types.ts';
import { updateRunner } from './update-harness.ts';

/** Heartbeat 200 ms, hung after 1.5 s of silence, restart after 100 ms: the production policy, compressed. */
const FAST = ['--heartbeat-ms', '200', '--hang-after-ms', '1500', '--startup-grace-ms', '20000', '--backoff-ms', '100', '--poll-ms', '100', '--kill-grace-ms', '1000'];

const BACKTEST_CONFIG = {
  universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h'] },
  features: { enabled: false },
  backtest: { timeframes: ['1h'], windowDays: 8, workers: 0, strategies: [{ name: 'sma-cross', grid: 'fast=5..10:5,slow=20..30:10' }, { name: 'macd' }] },
};

interface Seed {
  dir: string;
  configPath: string;
  /** The uninterrupted run's results: the ground truth. */
  expected: string[];
}

let seed: Promise<Seed> | undefined;

/** One seeded lake and one uninterrupted run, shared by both drills (each drills its own copy). */
function seedOnce(): Promise<Seed> {
  seed ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-chaos-backtest-'));
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify(BACKTEST_CONFIG));
    const standIn = await startBinanceStandIn();
    try {
      const lake = join(dir, 'seed');
      const update = updateRunner(new FileObjectStore(lake), `file://${lake}`, standIn.url, (now) => standIn.setNow(now));
      // The task runs on the system clock and skips stale series: the lake must be fresh now.
      update.clock.set(Date.now());
      const record = await update.run({ universe: { timeframes: ['1h'] }, update: { initialLookbackDays: 12 } });
      if (record.outcome !== 'succeeded') throw new Error(`seeding the backtest lake failed: ${record.summary}`);
    } finally {
      await standIn.close();
    }
    const clean = await copyOf(dir, 'clean');
    const run = await startCli(['backtest-task'], taskEnv(configPath, clean)).done;
    if (run.code !== 0) throw new Error(`the uninterrupted backtest-task exited ${run.code}: ${run.stderr.slice(-400)}`);
    return { dir, configPath, expected: await results(clean) };
  })();
  return seed;
}

function taskEnv(configPath: string, lake: string): Record<string, string> {
  return { CANDLELAKE_CONFIG: configPath, CANDLELAKE_LAKE: `file://${lake}`, CANDLELAKE_LOG_LEVEL: 'error', CANDLELAKE_BACKTEST_HEARTBEAT_MS: '200', NODE_NO_WARNINGS: '1' };
}

async function copyOf(dir: string, name: string): Promise<string> {
  const target = join(dir, name);
  await cp(join(dir, 'seed'), target, { recursive: true });
  return target;
}

/** Every evaluated parameter set of the day's run, as comparable strings. */
async function results(lake: string): Promise<string[]> {
  const query = await openLakeQuery(new FileObjectStore(lake), join(lake, '..', `cache-${Date.now()}`));
  try {
    const rows = await query.rows(
      "SELECT symbol, timeframe, strategy, params, round(total_return_pct, 9) AS r, trades, is_best FROM backtest_runs WHERE run_id LIKE 'backtest-20%' ORDER BY ALL",
    );
    return rows.map((r) => JSON.stringify(r));
  } finally {
    query.close();
  }
}

/** Rows of `expected` absent from `actual` (as multisets), and rows of `actual` beyond `expected`. */
function compare(expected: readonly string[], actual: readonly string[]): { missing: number; extra: number } {
  const left = new Map<string, number>();
  for (const row of expected) left.set(row, (left.get(row) ?? 0) + 1);
  let extra = 0;
  for (const row of actual) {
    const n = left.get(row) ?? 0;
    if (n > 0) left.set(row, n - 1);
    else extra += 1;
  }
  return { missing: [...left.values()].reduce((a, b) => a + b, 0), extra };
}

interface DrillReport {
  outcome: string;
  attempts: number;
  detectedAfterSeconds: number | null;
  recoveredAfterSeconds: number | null;
  events: Array<{ atMs: number; kind: string; detail: string }>;
}

function drillScenario(kind: 'crash' | 'hang'): Scenario {
  return {
    id: `backtest-${kind}`,
    group: '4 backtest supervision',
    title: kind === 'crash' ? 'Backtest task crashes (exit 4)' : 'Backtest task hangs (heartbeat stops)',
    description:
      kind === 'crash'
        ? '`candlelake drill crash`: the first attempt of the supervised `backtest-task` child dies after its first unit; the supervisor must see the exit, restart after the backoff, and the restart must resume (skip finished units) to the same results.'
        : '`candlelake drill hang`: the first attempt stops beating and never ends; the supervisor must call it hung after 1.5 s of silence, stop it (SIGTERM, then SIGKILL), and the replacement must finish with the same results.',
    run: async (): Promise<ScenarioOutcome> => {
      const { dir, configPath, expected } = await seedOnce();
      const lake = await copyOf(dir, `drill-${kind}`);
      const exit = await startCli(['--json', '--lake', `file://${lake}`, 'drill', kind, ...FAST], { ...taskEnv(configPath, lake) }).done;
      const report = JSON.parse(exit.stdout) as DrillReport;
      const at = (k: string) => report.events.find((e) => e.kind === k);
      const failedAt = kind === 'crash' ? at('exited')?.atMs : onsetOfHang(at('hung'));
      const finishedAt = at('finished')?.atMs;
      const diff = compare(expected, await results(lake));
      const latest = await new FileObjectStore(lake).get('runs/job=backtest/latest.json');
      const record = latest ? (JSON.parse(Buffer.from(latest.body).toString()) as { outcome: string; details?: { resumedFrom?: number } }) : undefined;
      const recovered = exit.code === 0 && report.outcome === 'finished' && diff.missing === 0;
      return {
        faults: { [kind === 'crash' ? 'crash (exit 4)' : 'hang']: 1 },
        detected: (kind === 'crash' ? at('exited') : at('hung')) !== undefined,
        detection: `${kind === 'crash' ? at('exited')?.detail : at('hung')?.detail} → detected ${report.detectedAfterSeconds?.toFixed(1)} s after the supervisor started`,
        recovered,
        recovery: 'supervisor restart',
        timeToRecoverMs: recovered && failedAt !== undefined && finishedAt !== undefined ? finishedAt - failedAt : null,
        lost: diff.missing + diff.extra,
        duplicates: 0,
        unit: 'backtest results',
        checked: expected.length,
        notes: [
          `events: ${report.events.map((e) => `${(e.atMs / 1000).toFixed(1)}s ${e.kind}`).join(', ')}`,
          `${report.attempts} attempts; run record ${record?.outcome ?? 'missing'}, resumed with ${record?.details?.resumedFrom ?? 0} unit(s) already done`,
        ],
      };
    },
  };
}

/** A hang starts at the last heartbeat: the `hung` event says how long the silence was. */
function onsetOfHang(hung: { atMs: number; detail: string } | undefined): number | undefined {
  const silentS = hung ? Number(/no heartbeat for (\d+) s/.exec(hung.detail)?.[1]) : Number.NaN;
  return hung && Number.isFinite(silentS) ? hung.atMs - silentS * 1000 : undefined;
}

export const backtestScenarios: Scenario[] = [drillScenario('crash'), drillScenario('hang')];
