/**
 * Group 6: two writers on one s3:// lake at once, each a `candlelake` child process: two update
 * runs, and an update racing a compaction. The write lease must let exactly one write at a time;
 * the other says who holds the lake. Loss: every candle against the exchange, exactly once.
 */
import { parseOhlcvPartKey } from '../../lib/lake/keys.ts';
import { auditCandles, type SeriesWindow, candleLoss } from './ground-truth.ts';
import { openCrashEnv, type CrashEnv } from './crash-env.ts';
import type { ChaosContext, Scenario, ScenarioOutcome } from './types.ts';
import { DAY_MS, HOUR_MS, LOOKBACK_DAYS, SYMBOLS, TIMEFRAMES, updateRunner } from './update-harness.ts';

interface UpdateRecord {
  runId: string;
  outcome: string;
  startedAt: string;
  summary: string;
  details: { heldBy?: { runId: string } };
}

async function withEnv(ctx: ChaosContext, work: (env: CrashEnv) => Promise<ScenarioOutcome>): Promise<ScenarioOutcome> {
  const env = await openCrashEnv(ctx);
  try {
    return await work(env);
  } finally {
    await env.close();
  }
}

function windowsSince(fromMs: number, closedAtMs: number): SeriesWindow[] {
  return SYMBOLS.flatMap((symbol) => TIMEFRAMES.map((timeframe) => ({ symbol, timeframe, fromMs, closedAtMs })));
}

/** Every klines answer held a little, so two runs started together really overlap. */
function slowExchange(env: CrashEnv) {
  return env.standIn.faults.add({ when: { path: '/api/v3/klines' }, action: { type: 'stall', ms: 150 } });
}

const twoUpdates: Scenario = {
  id: 'concurrent-updates',
  group: '6 concurrency',
  title: 'Two update runs at once',
  description: 'Two `candlelake update` processes started together on the same s3:// lake (klines slowed so they overlap): one must update, the other must exit 0 naming the run that holds the lease; every candle exactly once.',
  run: (ctx) =>
    withEnv(ctx, async (env) => {
      const slow = slowExchange(env);
      const started = Date.now();
      const exits = await Promise.all([env.cli(['update']), env.cli(['update'])]);
      slow.remove();
      const records = exits.map((e) => JSON.parse(e.stdout) as UpdateRecord);
      const winner = records.find((r) => r.outcome === 'succeeded');
      const loser = records.find((r) => r.outcome === 'skipped');
      const audit = winner ? await auditCandles(env.lake.direct, env.standIn.url, windowsSince(Date.parse(winner.startedAt) - LOOKBACK_DAYS * DAY_MS, Date.parse(winner.startedAt))) : undefined;
      const done = Date.now();
      const namedHolder = loser !== undefined && winner !== undefined && loser.details.heldBy?.runId === winner.runId;
      const recovered = exits.every((e) => e.code === 0) && winner !== undefined && audit !== undefined && audit.missing === 0;
      return {
        faults: { 'concurrent run': 1 },
        detected: namedHolder,
        detection: loser ? `the second run: "${loser.summary}"` : `outcomes ${records.map((r) => r.outcome).join(', ')}`,
        recovered,
        recovery: 'lease (no overlap)',
        timeToRecoverMs: recovered ? done - started : null,
        lost: audit?.lost ?? 0,
        duplicates: audit?.duplicates ?? 0,
        unit: 'candles',
        checked: audit?.expected ?? 0,
        notes: [`exit codes ${exits.map((e) => e.code).join(', ')}; outcomes ${records.map((r) => r.outcome).join(', ')}`, ...(audit?.firstProblem ? [audit.firstProblem] : [])],
      };
    }),
};

const updateVsCompaction: Scenario = {
  id: 'update-vs-compaction',
  group: '6 concurrency',
  title: 'Update and compaction at once',
  description:
    'On a lake with 3 parts per series-year, `candlelake update` and `candlelake compact --yes` start together: one must hold the write lease and the other refuse (update: skipped; compact: "the lake is busy"). Whichever was refused is run again afterwards; the lake must end with every candle exactly once.',
  run: (ctx) =>
    withEnv(ctx, async (env) => {
      // Three daily-style runs up to 12 h ago, then the market clock back to real time for the CLI.
      const seeder = updateRunner(env.lake.store, env.lake.url, env.standIn.url, (now) => env.standIn.setNow(now));
      seeder.clock.set(Date.now() - 12 * HOUR_MS);
      for (let run = 0; run < 3; run += 1) {
        if (run > 0) seeder.clock.advance(4 * HOUR_MS);
        const seeded = await seeder.run({ cacheDir: env.cacheDir });
        if (seeded.outcome !== 'succeeded') throw new Error(`seeding failed: ${seeded.summary}`);
      }
      const firstWindow = seeder.windows()[0]!.fromMs;
      env.standIn.setNow(() => Date.now());

      const slow = slowExchange(env);
      const started = Date.now();
      const [update, compact] = await Promise.all([env.cli(['update']), env.cli(['compact', '--yes'])]);
      slow.remove();
      const record = JSON.parse(update.stdout) as UpdateRecord;
      const compactRefused = compact.code !== 0 && /busy|holds its write lease/.test(compact.stderr + compact.stdout);
      const updateRefused = record.outcome === 'skipped';
      const notes = [`update: exit ${update.code}, ${record.outcome}; compact: exit ${compact.code}${compactRefused ? ' (lake busy)' : ''}`];
      // The refused one runs again, as the next schedule slot (or an operator) would.
      const rerun = compactRefused ? await env.cli(['compact', '--yes']) : updateRefused ? await env.cli(['update']) : undefined;
      if (rerun) notes.push(`rerun of the refused job: exit ${rerun.code}`);
      const updateStartedMs = Date.parse(updateRefused && rerun ? (JSON.parse(rerun.stdout) as UpdateRecord).startedAt : record.startedAt);
      const audit = await auditCandles(env.lake.direct, env.standIn.url, windowsSince(firstWindow, updateStartedMs));
      const keys = (await env.lake.direct.list('exchange=binance/dataset=ohlcv/')).map((o) => o.key);
      notes.push(`${keys.filter((k) => parseOhlcvPartKey(k) !== undefined).length} ohlcv parts at the end`);
      if (audit.firstProblem) notes.push(audit.firstProblem);
      const done = Date.now();
      const exclusive = compactRefused !== updateRefused;
      const recovered = exclusive && rerun?.code === 0 && audit.missing === 0;
      return {
        faults: { 'concurrent writer': 1 },
        detected: exclusive,
        detection: compactRefused ? 'compaction refused: the update held the write lease' : updateRefused ? `update skipped: "${record.summary}"` : 'both ran (no exclusion!)',
        recovered,
        recovery: 'lease (no overlap)',
        timeToRecoverMs: recovered ? done - started : null,
        ...candleLoss(audit),
        notes,
      };
    }),
};

export const concurrencyScenarios: Scenario[] = [twoUpdates, updateVsCompaction];
