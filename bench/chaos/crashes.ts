/**
 * Group 3: SIGKILL in the middle of a write, for the update job, compaction and the backup, each
 * run through the CLI in a child process against an s3:// lake on moto. Right after each kill the
 * lake is read as a reader would (the live-parts rule applied): what it returns must be exactly
 * the exchange's candles, nothing half written, nothing twice. Then the job is run again and the
 * lake must hold every candle exactly once.
 */
import { existsSync, readdirSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIntegrity, listSnapshots } from '../../lib/backup/index.ts';
import { runBackup } from '../../lib/backup/job.ts';
import { fixedClock } from '../../lib/clock/index.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { parseOhlcvPartKey } from '../../lib/lake/keys.ts';
import { FILE_STORE_DEFAULTS, FileObjectStore } from '../../lib/object-store/file.ts';
import type { ObjectStore } from '../../lib/object-store/types.ts';
import { startBinanceStandIn } from '../../lib/replay-exchange/binance/index.ts';
import { startCliProcess as startCli } from '../../test/harness/cli-process.ts';
import { auditCandles, type CandleAudit, type SeriesWindow, candleLoss } from './ground-truth.ts';
import { CRASH_CONFIG, openCrashEnv, type CrashEnv } from './crash-env.ts';
import type { Scenario, ScenarioOutcome } from './types.ts';
import { DAY_MS, HOUR_MS, keepingLogger, updateRunner } from './update-harness.ts';

const OHLCV_PART_PUT = /\/dataset=ohlcv\/.*\/year=\d+\/part-[^/]+\.parquet$/;
const STAGED_PUT = /\/dataset=ohlcv\/.*\/_staging\/compact-[^/]+\.parquet$/;
const PUBLISHED_PUT = /\/dataset=ohlcv\/.*\/year=\d+\/compact-[^/]+\.parquet$/;
const SNAPSHOT_OBJECT_PUT = /\/snapshots\/[^/]+\/objects\//;

/** What a reader sees right after a kill: anything wrong but "not yet written" is a half write. */
function halfWrites(audit: CandleAudit): number {
  return audit.mismatched + audit.extra + audit.duplicates;
}

async function withCrashEnv<T>(ctx: Parameters<Scenario['run']>[0], work: (env: CrashEnv) => Promise<T>): Promise<T> {
  const env = await openCrashEnv(ctx);
  try {
    return await work(env);
  } finally {
    await env.close();
  }
}

/** Objects of the lake's ohlcv dataset, by kind, read straight from moto. */
async function ohlcvObjects(env: CrashEnv): Promise<{ parts: number; staged: number }> {
  const keys = (await env.lake.direct.list('exchange=binance/dataset=ohlcv/')).map((o) => o.key);
  return { parts: keys.filter((k) => parseOhlcvPartKey(k) !== undefined).length, staged: keys.filter((k) => k.includes('/_staging/')).length };
}

/** Outcomes of the update run records in the lake (latest.json aside), e.g. `{ succeeded: 1, abandoned: 2 }`. */
async function updateRunOutcomes(store: ObjectStore): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  for (const object of await store.list('runs/job=update/date=')) {
    const got = await store.get(object.key);
    const outcome = got ? (JSON.parse(Buffer.from(got.body).toString()) as { outcome: string }).outcome : 'unreadable';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return outcomes;
}

const describeOutcomes = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${n} ${k}`).join(', ');

const updateCrash: Scenario = {
  id: 'kill-update',
  group: '3 SIGKILL mid-write',
  title: 'SIGKILL update mid-PUT of a part',
  description:
    '`candlelake update --since` (2 symbols × 15m/1h, 5 days: a part per series) is SIGKILLed while the PUT of its 3rd part is in flight, then again at its 2nd part on the first rerun; a third run takes over the dead runs\' lease and must leave every candle exactly once.',
  run: (ctx) =>
    withCrashEnv(ctx, async (env) => {
      const sinceMs = Date.now() - 5 * DAY_MS;
      const since = new Date(sinceMs).toISOString().slice(0, 10);
      const args = ['update', '--since', since];
      const windows = (closedAtMs: number): SeriesWindow[] =>
        ['BTC/USDT', 'ETH/USDT'].flatMap((symbol) => (['15m', '1h'] as const).map((timeframe) => ({ symbol, timeframe, fromMs: Date.parse(`${since}T00:00:00Z`), closedAtMs })));
      const notes: string[] = [];
      let halfWritten = 0;
      let firstKillMs = 0;
      for (const nth of [3, 2]) {
        const { killedAtMs, path } = await env.cliKilledAt(args, { name: `kill at part PUT #${nth}`, when: { method: 'PUT', path: OHLCV_PART_PUT }, nth: [nth] });
        firstKillMs ||= killedAtMs;
        const seen = await auditCandles(env.lake.direct, env.standIn.url, windows(killedAtMs));
        halfWritten += halfWrites(seen);
        notes.push(`killed at ${path.split('/').slice(-3).join('/')}: readers saw ${seen.stored} candles, ${halfWrites(seen)} wrong`);
      }
      const rerunStartedMs = Date.now();
      const rerun = await env.cli(args);
      const record = JSON.parse(rerun.stdout) as { outcome: string; details: { tookOverFrom?: { runId: string } } };
      const audit = await auditCandles(env.lake.direct, env.standIn.url, windows(rerunStartedMs));
      const verifiedMs = Date.now();
      if (audit.firstProblem) notes.push(audit.firstProblem);
      const outcomes = await updateRunOutcomes(env.lake.direct);
      notes.push(`run records: ${describeOutcomes(outcomes)}`);
      const tookOver = record.details.tookOverFrom?.runId;
      const recovered = rerun.code === 0 && record.outcome === 'succeeded' && audit.missing === 0;
      return {
        faults: { SIGKILL: 2 },
        detected: tookOver !== undefined && /took over the abandoned lease/.test(rerun.stderr) && (outcomes['abandoned'] ?? 0) > 0,
        detection: tookOver ? `the rerun took over the dead run's lease (${tookOver}); ${outcomes['abandoned'] ?? 0} run record(s) marked abandoned` : 'the rerun did not notice the dead run',
        recovered,
        recovery: 'rerun after kill',
        timeToRecoverMs: recovered ? verifiedMs - firstKillMs : null,
        ...candleLoss(audit, halfWritten),
        notes,
      };
    }),
};

/** A lake with three parts per series-year, the way daily runs leave it: the update job in-process, three runs 6 h apart. */
async function seedFragmentedLake(env: CrashEnv) {
  const update = updateRunner(env.lake.store, env.lake.url, env.standIn.url, (now) => env.standIn.setNow(now));
  for (let run = 0; run < 3; run += 1) {
    if (run > 0) update.clock.advance(6 * HOUR_MS);
    const seeded = await update.run({ cacheDir: env.cacheDir });
    if (seeded.outcome !== 'succeeded') throw new Error(`seeding the lake failed: ${seeded.summary}`);
  }
  return update;
}

const compactionCrash: Scenario = {
  id: 'kill-compaction',
  group: '3 SIGKILL mid-write',
  title: 'SIGKILL compaction at staging, publish, delete',
  description:
    '`candlelake compact --yes` on a lake with 3 parts per series-year (three daily-style runs) is SIGKILLed three times: while PUTting a staged compact part, while PUTting a compact part at its final key, and while DELETing a replaced part. After each kill every candle must still read exactly once; the final run must clean up and leave one part per series-year.',
  run: (ctx) =>
    withCrashEnv(ctx, async (env) => {
      const update = await seedFragmentedLake(env);
      const before = await ohlcvObjects(env);
      const notes: string[] = [`seeded ${before.parts} parts for 4 series`];
      let wrongAfterKill = 0;
      let firstKillMs = 0;
      const killPoints = [
        { name: 'staged PUT', when: { method: 'PUT', path: STAGED_PUT }, nth: [1] },
        { name: 'publish PUT', when: { method: 'PUT', path: PUBLISHED_PUT }, nth: [1] },
        { name: 'DELETE of a replaced part', when: { method: 'DELETE', path: OHLCV_PART_PUT }, nth: [1] },
      ];
      for (const point of killPoints) {
        const { killedAtMs } = await env.cliKilledAt(['compact', '--yes'], point);
        firstKillMs ||= killedAtMs;
        const seen = await auditCandles(env.lake.direct, env.standIn.url, update.windows());
        // Compaction never removes a candle from a reader's view, even mid-crash: missing counts too.
        wrongAfterKill += seen.lost + seen.duplicates;
        const objects = await ohlcvObjects(env);
        notes.push(`killed at ${point.name}: ${objects.parts} parts + ${objects.staged} staged, readers saw ${seen.stored}/${seen.expected} candles, ${seen.lost + seen.duplicates} wrong`);
      }
      const final = await env.cli(['compact', '--yes']);
      const audit = await auditCandles(env.lake.direct, env.standIn.url, update.windows());
      const after = await ohlcvObjects(env);
      const verifiedMs = Date.now();
      const report = JSON.parse(final.stdout) as { totals: { recovered: number; failed: number; compacted: number } };
      notes.push(`final run: ${report.totals.compacted} compacted, ${report.totals.recovered} recovered from the crashes; ${after.parts} parts, ${after.staged} staged left`);
      if (audit.firstProblem) notes.push(audit.firstProblem);
      const seriesYears = 4;
      const recovered = final.code === 0 && report.totals.failed === 0 && after.staged === 0 && after.parts === seriesYears && audit.missing === 0;
      return {
        faults: { SIGKILL: killPoints.length },
        detected: report.totals.recovered > 0,
        detection: `the next run found the crashed runs' leftovers (${report.totals.recovered} partitions recovered)`,
        recovered,
        recovery: 'rerun after kill',
        timeToRecoverMs: recovered ? verifiedMs - firstKillMs : null,
        ...candleLoss(audit, wrongAfterKill),
        notes,
      };
    }),
};

const backupCrash: Scenario = {
  id: 'kill-backup',
  group: '3 SIGKILL mid-write',
  title: 'SIGKILL backup mid-snapshot',
  description:
    '`candlelake backup` is SIGKILLed while PUTting the 3rd object of its snapshot. The lake must read complete, the half snapshot must be listed as incomplete (never as a snapshot to restore from). An immediate CLI rerun is tried; then the next weekly run (the backup job in-process, clock +7 days) must produce a complete snapshot that passes the integrity check.',
  run: (ctx) =>
    withCrashEnv(ctx, async (env) => {
      const update = await seedFragmentedLake(env);
      const { killedAtMs } = await env.cliKilledAt(['backup'], { name: 'snapshot object PUT', when: { method: 'PUT', path: SNAPSHOT_OBJECT_PUT }, nth: [3] });
      const seen = await auditCandles(env.lake.direct, env.standIn.url, update.windows());
      const afterKill = await listSnapshots(env.backup.direct);
      const notes = [`after the kill: ${afterKill.complete.length} complete, ${afterKill.incomplete.length} incomplete (${afterKill.incomplete[0]?.reason ?? '-'}); readers saw ${seen.stored}/${seen.expected} candles`];
      const halfSnapshotHidden = afterKill.complete.length === 0 && afterKill.incomplete.length === 1;

      const immediate = await env.cli(['backup']);
      const immediateOutcome = (JSON.parse(immediate.stdout) as { outcome: string; summary: string });
      notes.push(`immediate CLI rerun: exit ${immediate.code}, ${immediateOutcome.outcome}${immediateOutcome.outcome === 'succeeded' ? '' : ` — ${immediateOutcome.summary.slice(0, 160)}`}`);
      let recovery: ScenarioOutcome['recovery'] = 'rerun after kill';
      if (immediateOutcome.outcome !== 'succeeded') {
        // The weekly schedule's next run: same job function, a week later.
        const clock = fixedClock(Date.now() + 7 * DAY_MS);
        const config = loadConfig({ env: {}, overrides: { lake: env.lake.url, cacheDir: env.cacheDir, backup: { url: env.backup.url } } });
        const next = await runBackup({ lake: env.lake.store, backup: env.backup.store, clock, logger: keepingLogger(), config }, { trigger: 'chaos' });
        notes.push(`next weekly run: ${next.outcome}`);
        recovery = 'next run';
      }
      const audit = await auditCandles(env.lake.direct, env.standIn.url, update.windows());
      const snapshots = await listSnapshots(env.backup.direct);
      const integrity = await checkIntegrity({ lake: env.lake.direct, backup: env.backup.direct, cacheDir: env.cacheDir }, { snapshot: 'latest' });
      const verifiedMs = Date.now();
      notes.push(`then: ${snapshots.complete.length} complete, ${snapshots.incomplete.length} incomplete; integrity ${integrity.problems.length === 0 ? 'OK' : integrity.problems.map((p) => p.path).join(', ')}`);
      const recovered = snapshots.complete.length > 0 && integrity.problems.length === 0 && audit.missing === 0;
      return {
        faults: { SIGKILL: 1 },
        detected: halfSnapshotHidden,
        detection: halfSnapshotHidden ? 'the killed snapshot is listed as incomplete (no manifest)' : 'the killed snapshot was not recognised as incomplete',
        recovered,
        recovery,
        timeToRecoverMs: recovered ? verifiedMs - killedAtMs : null,
        lost: audit.lost + seen.lost,
        duplicates: audit.duplicates + seen.duplicates,
        unit: 'candles',
        checked: audit.expected,
        notes,
      };
    }),
};

/** Parquet parts under the lake's ohlcv dataset (a small tree: a synchronous walk is cheap). */
function ohlcvPartFiles(lakeDir: string): number {
  const root = join(lakeDir, 'exchange=binance', 'dataset=ohlcv');
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.parquet') && !String(f).includes('_staging')).length;
}

/**
 * Runs `candlelake <args>` on a file lake and SIGKILLs it the moment a temp file exists in `.tmp/`
 * (a write started, not yet renamed into place) once `partsBefore + newParts` parts have landed:
 * the kill falls inside the writing of the next part.
 */
async function killAtTempFile(lakeDir: string, args: string[], env: Record<string, string>, newParts: number): Promise<{ killedAtMs: number; parts: number }> {
  const tmp = join(lakeDir, '.tmp');
  await mkdir(tmp, { recursive: true });
  const target = ohlcvPartFiles(lakeDir) + newParts;
  const run = startCli(['--json', ...args], env);
  let killed: { killedAtMs: number; parts: number } | undefined;
  const watcher = watch(tmp, (_event, name) => {
    if (killed || !name?.endsWith('.tmp') || !existsSync(join(tmp, name))) return;
    const parts = ohlcvPartFiles(lakeDir);
    if (parts < target) return;
    killed = { killedAtMs: Date.now(), parts };
    run.child.kill('SIGKILL');
  });
  const exit = await run.done;
  watcher.close();
  if (!killed || exit.signal !== 'SIGKILL') throw new Error(`candlelake ${args.join(' ')} ended (${exit.code}) before ${newParts} new parts: ${exit.stderr.slice(-400)}`);
  return killed;
}

const fileUpdateCrash: Scenario = {
  id: 'kill-update-file',
  group: '3 SIGKILL mid-write',
  title: 'SIGKILL update mid-write on a file lake',
  description:
    'The same `candlelake update --since` on a local-folder lake, SIGKILLed the moment a temp file exists in `.tmp/` (a write started, not yet renamed into place) after its first part landed, then again after the rerun\'s second new part. Readers must see only whole parts; a third run (an hour later, as the schedule would start it) must leave every candle exactly once and no temp file behind.',
  run: async () => {
    const standIn = await startBinanceStandIn();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'candlelake-chaos-filekill-'));
      const lakeDir = join(dir, 'lake');
      const configPath = join(dir, 'config.json');
      await writeFile(configPath, JSON.stringify(CRASH_CONFIG));
      const env = { CANDLELAKE_CONFIG: configPath, CANDLELAKE_LAKE: `file://${lakeDir}`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: standIn.url, CANDLELAKE_LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' };
      const store = new FileObjectStore(lakeDir);
      const since = new Date(Date.now() - 5 * DAY_MS).toISOString().slice(0, 10);
      const windows = (closedAtMs: number): SeriesWindow[] =>
        ['BTC/USDT', 'ETH/USDT'].flatMap((symbol) => (['15m', '1h'] as const).map((timeframe) => ({ symbol, timeframe, fromMs: Date.parse(`${since}T00:00:00Z`), closedAtMs })));
      const notes: string[] = [];
      let wrong = 0;
      let firstKillMs = 0;
      for (const newParts of [1, 2]) {
        const { killedAtMs, parts } = await killAtTempFile(lakeDir, ['update', '--since', since], env, newParts);
        firstKillMs ||= killedAtMs;
        const seen = await auditCandles(store, standIn.url, windows(killedAtMs));
        wrong += halfWrites(seen);
        const leftovers = (await readdir(join(lakeDir, '.tmp'))).filter((f) => f.endsWith('.tmp')).length;
        notes.push(`killed writing the object after part ${parts}: readers saw ${seen.stored} candles, ${halfWrites(seen)} wrong; ${leftovers} temp file(s) left in .tmp/`);
      }
      // The store only sweeps temp files older than its stale age (an hour), so a live writer's is
      // never touched; the next scheduled run comes later than that, so the leftovers are aged to match.
      const aged = new Date(Date.now() - FILE_STORE_DEFAULTS.staleTempMs - 60_000);
      for (const name of (await readdir(join(lakeDir, '.tmp'))).filter((f) => f.endsWith('.tmp'))) {
        await utimes(join(lakeDir, '.tmp', name), aged, aged).catch(() => {});
      }
      const rerunStartedMs = Date.now();
      const rerun = await startCli(['--json', 'update', '--since', since], env).done;
      const record = JSON.parse(rerun.stdout) as { outcome: string; details: { tookOverFrom?: { runId: string } } };
      const audit = await auditCandles(store, standIn.url, windows(rerunStartedMs));
      const verifiedMs = Date.now();
      if (audit.firstProblem) notes.push(audit.firstProblem);
      const tempLeft = (await readdir(join(lakeDir, '.tmp'))).filter((f) => f.endsWith('.tmp')).length;
      notes.push(`${tempLeft} temp file(s) still in .tmp/ after the rerun (run as the next schedule would, over an hour later)`);
      const outcomes = await updateRunOutcomes(store);
      notes.push(`run records: ${describeOutcomes(outcomes)}`);
      const recovered = rerun.code === 0 && record.outcome === 'succeeded' && audit.missing === 0 && tempLeft === 0;
      return {
        faults: { SIGKILL: 2 },
        detected: record.details.tookOverFrom !== undefined && (outcomes['abandoned'] ?? 0) > 0,
        detection: record.details.tookOverFrom ? `the rerun took over the dead run's lease (${record.details.tookOverFrom.runId}); ${outcomes['abandoned'] ?? 0} run record(s) marked abandoned` : 'the rerun did not notice the dead run',
        recovered,
        recovery: 'rerun after kill',
        timeToRecoverMs: recovered ? verifiedMs - firstKillMs : null,
        ...candleLoss(audit, wrong),
        notes,
      };
    } finally {
      await standIn.close();
    }
  },
};

export const crashScenarios: Scenario[] = [updateCrash, fileUpdateCrash, compactionCrash, backupCrash];

