/** Types of the offline demo (lib/demo): its options, and what one run reports. */
import type { JobRunOutcome } from '../jobs/run-job.ts';

/** Options of {@link runDemo}; the CLI fills every field. */
export interface DemoOptions {
  /** Folder that receives the lake, the backup store, the config and the report. */
  dir: string;
  /** The first N symbols of the default universe (1..60). */
  symbols: number;
  /** Days of history: the update's backfill, funding lookback and backtest window. */
  days: number;
  /** Seed of the synthetic market. */
  seed: number;
  /** Log level of the jobs' own logs on stderr. */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

/** Where a demo run put things. */
export interface DemoPaths {
  dir: string;
  configFile: string;
  lakeUrl: string;
  backupUrl: string;
  /** The HTML report of the best backtest result, when one was written. */
  reportFile?: string;
}

/** What a demo run did. */
export interface DemoResult {
  jobs: JobRunOutcome[];
  paths: DemoPaths;
  seconds: number;
  /** True when every job succeeded. */
  ok: boolean;
}
