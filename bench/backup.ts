/**
 * `npm run bench -- backup`: what the backup job handles and how fast. Builds the lake of
 * `bench -- ingest` (a year of 60 symbols × 4 timeframes from the Binance stand-in), re-lays it
 * as many small parts (what a year of daily updates leaves), compacts it, snapshots it into a
 * separate backup folder, checks integrity, and restores the whole year into an empty lake (RTO).
 * Options: --symbols N (default 60), --days D (default 365), --part-days P (default 7: weekly
 * parts; 1 = daily parts, slow), --timeframes list (default all four), --s3 (also snapshot to
 * and restore from S3 when AWS_ENDPOINT_URL points at an emulator such as moto).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { checkIntegrity, listSnapshots, restoreLake, snapshotLake } from '../lib/backup/index.ts';
import { systemClock } from '../lib/clock/index.ts';
import { compactLake } from '../lib/compact/index.ts';
import { TIMEFRAMES, type Timeframe } from '../lib/config/universe.ts';
import { createConsoleLogger } from '../lib/logging/console-logger.ts';
import { createS3Client, FileObjectStore, S3ObjectStore, type ObjectStore } from '../lib/object-store/index.ts';
import { flagValue } from './args.ts';
import { ingestYear, splitIntoParts } from './lake-builder.ts';

export interface BackupBenchOptions {
  symbols: number;
  days: number;
  partDays: number;
  timeframes: Timeframe[];
  s3: boolean;
}

/** The original design's estimate of the lake's size (60 symbols × 4 timeframes × 1 year). */
const DESIGN_LAKE_BYTES = 1.2e9;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mbPerSecond = (bytes: number, seconds: number) => (seconds > 0 ? round(bytes / 1e6 / seconds) : null);

/** Objects and bytes of a store, in total and per `dataset=` segment (other keys under `other`). */
async function inventory(store: ObjectStore) {
  const objects = await store.list('');
  const datasets: Record<string, { objects: number; bytes: number }> = {};
  for (const o of objects) {
    const name = /(?:^|\/)dataset=([^/]+)\//.exec(o.key)?.[1] ?? 'other';
    const d = (datasets[name] ??= { objects: 0, bytes: 0 });
    d.objects += 1;
    d.bytes += o.sizeBytes;
  }
  return { objects: objects.length, bytes: objects.reduce((n, o) => n + o.sizeBytes, 0), datasets };
}

/** Snapshot `lake` into `backup`, then restore the snapshot into the empty `target` (timed end to end). */
async function roundTrip(lake: ObjectStore, backup: ObjectStore, target: ObjectStore, cacheDir: string) {
  const logger = createConsoleLogger({ level: 'warn' });
  const snapshot = await snapshotLake({ lake, backup, clock: systemClock, logger }, {});
  const integrity = await checkIntegrity({ lake, backup, cacheDir }, { snapshot: snapshot.id });
  const listStarted = performance.now();
  const listing = await listSnapshots(backup);
  const listSeconds = (performance.now() - listStarted) / 1000;
  const restoreStarted = performance.now();
  const restore = await restoreLake({ lake: target, backup, logger }, { snapshot: 'latest' });
  const rtoSeconds = (performance.now() - restoreStarted) / 1000;
  const restored = await inventory(target);
  const source = await inventory(lake);
  return {
    snapshot: {
      id: snapshot.id,
      objects: snapshot.objects,
      bytes: snapshot.bytes,
      seconds: round(snapshot.seconds),
      mbPerSecond: round(snapshot.mbPerSecond),
      vanished: snapshot.vanished.length,
    },
    integrity: {
      seconds: round(integrity.seconds),
      problems: integrity.problems.length,
      checked: integrity.checked,
    },
    listSnapshots: { seconds: round(listSeconds, 3), complete: listing.complete.length, incomplete: listing.incomplete.length },
    restore: {
      objects: restore.restored.length,
      bytes: restore.bytes,
      seconds: round(restore.seconds),
      mbPerSecond: mbPerSecond(restore.bytes, restore.seconds),
      refused: restore.refused.length,
      // RTO: wall time of restoreLake into an empty lake, from resolving the snapshot to the last put.
      rtoSeconds: round(rtoSeconds),
      matchesSource: restored.objects === source.objects && restored.bytes === source.bytes,
    },
  };
}

async function s3RoundTrip(lake: ObjectStore, cacheDir: string) {
  if (!process.env.AWS_ENDPOINT_URL && !process.env.AWS_ENDPOINT_URL_S3) {
    return { skipped: 'AWS_ENDPOINT_URL is not set: no S3 emulator to run against' };
  }
  const client = createS3Client();
  const stamp = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const buckets = { backup: `candlelake-bench-backup-${stamp}`, restored: `candlelake-bench-restored-${stamp}` };
  for (const bucket of Object.values(buckets)) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const backup = new S3ObjectStore({ bucket: buckets.backup, prefix: 'backup', client });
  const target = new S3ObjectStore({ bucket: buckets.restored, prefix: 'lake', client });
  return { endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL, buckets, ...(await roundTrip(lake, backup, target, cacheDir)) };
}

export async function benchBackup(options: BackupBenchOptions) {
  const root = await mkdtemp(join(tmpdir(), 'candlelake-bench-backup-'));
  const dirs = { lake: join(root, 'lake'), backup: join(root, 'backup'), restored: join(root, 'restored'), cache: join(root, 'cache') };
  try {
    const lake = new FileObjectStore(dirs.lake);
    const logger = createConsoleLogger({ level: 'warn' });

    const ingest = await ingestYear(lake, options);
    const asIngested = await inventory(lake);
    const split = await splitIntoParts(lake, ingest.series, { partDays: options.partDays, indicators: ingest.indicators });
    const beforeCompaction = await inventory(lake);

    const compactStarted = performance.now();
    const compaction = await compactLake({ store: lake, clock: systemClock, logger, cacheDir: dirs.cache });
    const compactSeconds = (performance.now() - compactStarted) / 1000;
    const afterCompaction = await inventory(lake);

    const local = await roundTrip(lake, new FileObjectStore(dirs.backup), new FileObjectStore(dirs.restored), dirs.cache);
    const s3 = options.s3 ? await s3RoundTrip(lake, dirs.cache) : { skipped: 'not requested (pass --s3 with AWS_ENDPOINT_URL set)' };

    return {
      bench: 'backup',
      universe: { symbols: options.symbols, timeframes: options.timeframes, days: options.days, series: ingest.series.length, partDays: options.partDays },
      notes: [
        `Lake built by the update job's first run (as bench -- ingest: ccxt → Binance stand-in, fixed clock 2024-06-10 00:31 UTC, ${options.days} days, features on), ` +
          `${round(ingest.seconds, 1)} s, ${ingest.candlesWritten} candles.`,
        `Then each series' ohlcv and features were deleted and rewritten through ohlcvWrite / featuresWrite as one part per ` +
          `${options.partDays === 7 ? 'UTC week (Monday–Sunday)' : `${options.partDays}-day chunk`} (split at year boundaries too), ` +
          `standing in for a year of daily update runs (365 real daily runs would take far too long); daily runs would leave ~${options.partDays}× more parts.`,
        'compactLake ran without taking the update lease (nothing else writes the bench lake).',
        'Snapshot, integrity check and restore use local folders (FileObjectStore) on the same disk: throughput is local-disk + SHA-256 + DuckDB row counting, not network.',
        `Design estimate of the lake: ${DESIGN_LAKE_BYTES / 1e9} GB for 60 × 4 × 1 year.`,
      ],
      ingest: { outcome: ingest.outcome, candles: ingest.candlesWritten, seconds: round(ingest.seconds), objects: asIngested.objects, bytes: asIngested.bytes },
      split: { ohlcvParts: split.ohlcvParts, featureParts: split.featureParts, seconds: round(split.seconds) },
      lake: {
        beforeCompaction,
        afterCompaction,
        compaction: {
          seconds: round(compactSeconds),
          partitions: compaction.totals.examined,
          compacted: compaction.totals.compacted,
          failed: compaction.totals.failed,
          rowsRewritten: compaction.totals.candles,
          objectsSaved: beforeCompaction.objects - afterCompaction.objects,
          bytesSaved: beforeCompaction.bytes - afterCompaction.bytes,
          bytesSavedPercent: round((100 * (beforeCompaction.bytes - afterCompaction.bytes)) / Math.max(1, beforeCompaction.bytes), 1),
        },
        designEstimateBytes: DESIGN_LAKE_BYTES,
        ratioToDesignEstimate: round(afterCompaction.bytes / DESIGN_LAKE_BYTES, 4),
        ratioToDesignEstimateBeforeCompaction: round(beforeCompaction.bytes / DESIGN_LAKE_BYTES, 4),
      },
      local,
      s3,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export function parseBackupBenchArgs(args: string[]): BackupBenchOptions {
  const value = (flag: string) => flagValue(args, flag);
  return {
    symbols: Number(value('--symbols') ?? 60),
    days: Number(value('--days') ?? 365),
    partDays: Number(value('--part-days') ?? 7),
    timeframes: (value('--timeframes')?.split(',') as Timeframe[] | undefined) ?? [...TIMEFRAMES],
    s3: args.includes('--s3'),
  };
}
