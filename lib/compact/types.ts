/** Options, dependencies and results of lake compaction (lib/compact/index.ts). */
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { CompactionDataset, PartitionLabels } from './datasets.ts';

export type { CompactionDataset, PartitionLabels } from './datasets.ts';

/** Points of a partition's swap after which a test may simulate a crash. */
export type CompactionStep = 'staged' | 'verified' | 'published' | 'deleted-one';

/** Test seams. A hook that throws stops the whole run there, as a killed process would. */
export interface CompactionHooks {
  /** Called after each step of a partition's swap, with the partition's folder (`…/year=YYYY/`). */
  afterStep?(step: CompactionStep, partitionKeyPrefix: string): void | Promise<void>;
}

export interface CompactionDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  /** Parent folder for scratch files (downloads and encodings); the system temp folder when unset. */
  cacheDir?: string;
  /** TTL of the `sentiment` lease compactLake takes for the sentiment datasets; 15 minutes by default. */
  sentimentLeaseTtlMs?: number;
}

export interface CompactionOptions {
  /** Plan only: list and decide, write and delete nothing. */
  dryRun?: boolean;
  /**
   * Datasets to compact: any of `ohlcv`, `features` and the sentiment datasets (`fear_greed`,
   * `funding`, `open_interest`, `long_short_ratio`, `macro`); all of them by default.
   */
  datasets?: readonly CompactionDataset[];
  hooks?: CompactionHooks;
}

/**
 * What happened to one partition (in a dry run: what would happen).
 * - `compacted`: its live parts were replaced by one compact part (recovery may have run first).
 * - `recovered`: only leftovers of an interrupted run were removed.
 * - `skipped`: one live part and nothing left over.
 * - `failed`: see `error`; the partition is left as readers already saw it.
 */
export type PartitionOutcome = 'compacted' | 'recovered' | 'skipped' | 'failed';

/**
 * The labels (datasets.ts {@link PartitionLabels}) are the partition's Hive segments: `exchange`,
 * `symbol`, `timeframe` for ohlcv and features; `exchange`, `symbol` (and `period`) for the
 * derivatives datasets; `source` (and `series`) for fear_greed and macro.
 */
export interface PartitionReport extends PartitionLabels {
  /** The partition's folder, e.g. `exchange=…/dataset=…/timeframe=…/symbol=…/year=YYYY/` or `source=fred/dataset=macro/series=…/year=YYYY/`. */
  prefix: string;
  dataset: CompactionDataset;
  year: number;
  outcome: PartitionOutcome;
  /** Orphaned staged objects deleted (left by a run killed before publishing). */
  stagingDeleted: number;
  /** Superseded parts deleted by recovery (left by a run killed after publishing). */
  supersededDeleted: number;
  /** Live parts merged into `outputKey`. */
  inputKeys: string[];
  outputKey?: string;
  generation?: number;
  /** Objects (parts and staged objects) in the partition before and after. */
  objectsBefore: number;
  objectsAfter: number;
  bytesBefore: number;
  /** `null` in a dry run: the compact part's size is known only once written. */
  bytesAfter: number | null;
  /** Rows (candles, points) in the compact part written (0 when none was, and in a dry run). */
  candles: number;
  error?: string;
}

export interface CompactionTotals {
  examined: number;
  compacted: number;
  skipped: number;
  /** Partitions where leftovers of an interrupted run were removed (with or without compaction after). */
  recovered: number;
  failed: number;
  objectsBefore: number;
  objectsAfter: number;
  bytesBefore: number;
  /** `null` in a dry run. */
  bytesAfter: number | null;
  /** Rows written into compact parts, every dataset. */
  candles: number;
  seconds: number;
}

export interface CompactionReport {
  startedAt: string;
  dryRun: boolean;
  /** The datasets asked for (all by default). */
  datasets: CompactionDataset[];
  /** Datasets left out of this run, and why (a sentiment run held the `sentiment` lease). */
  skippedDatasets?: { datasets: CompactionDataset[]; reason: string };
  partitions: PartitionReport[];
  totals: CompactionTotals;
}
