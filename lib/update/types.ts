/** Types of the update job: its ports, its input and what its run record holds. */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import type { Timeframe } from '../config/universe.ts';
import type { RejectReason } from '../candles/types.ts';
import type { CandleExchange, WeightReport } from '../exchange/types.ts';
import type { FeaturesReport } from '../features/index.ts';
import type { LeaseHolder } from '../lake/lease.ts';
import type { RunRecord } from '../lake/run-records.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

export interface UpdateDeps {
  store: ObjectStore;
  exchange: CandleExchange;
  clock: Clock;
  logger: JobLogger;
  config: CandlelakeConfig;
  /** Called after each series finishes (drives the CLI progress bar). */
  onProgress?: (progress: UpdateProgress) => void;
}

export interface UpdateInput {
  /** Who started the run: `schedule` (EventBridge), `cli`, or `daemon`. */
  trigger: string;
  /** Backfill from this instant (ms, UTC) instead of only after the last stored candle. */
  sinceMs?: number;
  runId?: string;
}

export interface UpdateProgress {
  seriesDone: number;
  seriesTotal: number;
  candlesWritten: number;
  lastSeries: string;
}

export type Severity = 'CRITICAL' | 'WARNING' | 'INFO';

/** Something a person should hear about; the alerting job turns these into messages. */
export interface Finding {
  severity: Severity;
  /** Stable key: the same problem keeps the same key across runs. */
  key: string;
  text: string;
}

/** One (symbol, timeframe) of a run. */
export interface SeriesReport {
  symbol: string;
  timeframe: Timeframe;
  ok: boolean;
  /** Rows the exchange sent, unfinished and bad ones included. */
  fetched: number;
  written: number;
  alreadyStored: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Repeats inside overlapping pages, dropped before writing. */
  duplicates: number;
  pages: number;
  objectsWritten: number;
  bytesWritten: number;
  /** Newest stored open time after the run (ISO), if any. */
  lastStoredOpenTime?: string;
  error?: string;
}

export interface UpdateFailure {
  symbol: string;
  timeframe?: Timeframe;
  reason: string;
}

export interface UpdateDetails {
  exchange: string;
  lake: string;
  timeframes: Timeframe[];
  symbols: string[];
  sinceMs?: number;
  series: SeriesReport[];
  failures: UpdateFailure[];
  findings: Finding[];
  totals: {
    candlesFetched: number;
    candlesWritten: number;
    rejected: Partial<Record<RejectReason, number>>;
    objectsWritten: number;
    bytesWritten: number;
  };
  weight: WeightReport;
  markets?: { key: string; count: number };
  /** The indicator layer recomputed after the candles (lib/features). */
  features?: FeaturesReport;
  heldBy?: LeaseHolder;
  tookOverFrom?: LeaseHolder;
}

export type UpdateResult = RunRecord<UpdateDetails>;
