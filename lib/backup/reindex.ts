/**
 * `candlelake reindex`: rebuilds, from the objects themselves, everything the lake keeps that is
 * derived rather than data — each job's `latest.json` run pointer, the validate report's latest
 * pointer, and the local DuckDB copy with its views — after a restore, a rollback or a hand edit
 * left them pointing at something that is no longer there. Part visibility needs no index: it
 * follows from the part names (lib/lake/live-parts.ts).
 */
import { rm } from 'node:fs/promises';
import { latestRunKey } from '../lake/keys.ts';
import { mirrorFolder } from '../lake/local-mirror.ts';
import { openLakeQuery } from '../lake/query.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { LATEST_REPORT_KEY } from '../validate/report-store.ts';

export interface ReindexReport {
  dryRun: boolean;
  /** Pointers rewritten (or that would be): key → the object it now copies. */
  pointers: Array<{ key: string; from: string; changed: boolean }>;
  /** Rows per DuckDB view after the local copy was rebuilt (not on a dry run). */
  views: Record<string, number>;
  seconds: number;
}

/** The newest object under `prefix` by key (dated keys sort by time), ignoring `latest.json`. */
async function newestUnder(store: ObjectStore, prefix: string): Promise<string | undefined> {
  const keys = (await store.list(prefix)).map((o) => o.key).filter((k) => k.endsWith('.json') && !k.endsWith('/latest.json'));
  return keys.sort().at(-1);
}

async function rebuildPointer(store: ObjectStore, pointerKey: string, sourceKey: string, dryRun: boolean): Promise<{ key: string; from: string; changed: boolean }> {
  const [source, current] = await Promise.all([store.get(sourceKey), store.get(pointerKey)]);
  if (!source) throw new Error(`reindex: ${sourceKey} vanished while reindexing`);
  const changed = !current || Buffer.compare(Buffer.from(current.body), Buffer.from(source.body)) !== 0;
  if (changed && !dryRun) await store.put(pointerKey, source.body, { contentType: 'application/json' });
  return { key: pointerKey, from: sourceKey, changed };
}

/**
 * @example const report = await reindexLake(store, config.cacheDir, { dryRun: false });
 */
export async function reindexLake(store: ObjectStore, cacheDir: string, options: { dryRun?: boolean } = {}): Promise<ReindexReport> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const pointers: ReindexReport['pointers'] = [];
  const jobs = new Set((await store.list('runs/job=')).map((o) => /^runs\/job=([^/]+)\//.exec(o.key)?.[1]).filter((j): j is string => j !== undefined));
  for (const job of [...jobs].sort()) {
    // Run record keys are `runs/job=<job>/date=YYYY-MM-DD/<job>-<stamp>-<id>.json`: the last by key is the newest.
    const newest = await newestUnder(store, `runs/job=${job}/date=`);
    if (newest) pointers.push(await rebuildPointer(store, latestRunKey(job), newest, dryRun));
  }
  const newestReport = await newestUnder(store, 'quality/reports/date=');
  if (newestReport) pointers.push(await rebuildPointer(store, LATEST_REPORT_KEY, newestReport, dryRun));

  const views: Record<string, number> = {};
  if (!dryRun) {
    // The local copy is a cache: dropping it forces every object to be fetched again and the views rebuilt on them.
    const folder = mirrorFolder(store, cacheDir);
    if (folder) await rm(folder, { recursive: true, force: true });
    const lake = await openLakeQuery(store, cacheDir);
    try {
      for (const view of ['ohlcv', 'markets', 'features', 'backtest_runs', 'backtest_trades', 'backtest_equity']) {
        const rows = await lake.rows(`SELECT count(*)::DOUBLE AS n FROM ${view}`).catch(() => undefined);
        if (rows) views[view] = Number(rows[0]?.['n'] ?? 0);
      }
    } finally {
      lake.close();
    }
  }
  return { dryRun, pointers, views, seconds: (performance.now() - started) / 1000 };
}
