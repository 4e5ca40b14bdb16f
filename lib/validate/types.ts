/** Types of the validate job: its ports, its input and its report. */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import type { Timeframe } from '../config/universe.ts';
import type { CandleExchange } from '../exchange/types.ts';
import type { JobLogger } from '../logging/types.ts';
import type { MetricsSink } from '../metrics/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { CoverageSummary, Finding, Severity } from './rules/types.ts';

export interface ValidateDeps {
  store: ObjectStore;
  /** For classifying gaps and repairing them; without it gaps stay unclassified ingestion gaps. */
  exchange?: CandleExchange;
  clock: Clock;
  logger: JobLogger;
  config: CandlelakeConfig;
  metrics?: MetricsSink;
}

export interface ValidateInput {
  trigger: string;
  runId?: string;
  /** Re-fetch ingestion gaps (default true). */
  repair?: boolean;
}

/** One (symbol, timeframe) cell of the report's table. */
export interface SeriesCell {
  symbol: string;
  timeframe: Timeframe;
  status: Severity;
  candles: number;
  lastOpenTime: string | null;
}

export interface ValidateReport {
  runId: string;
  checkedAt: string;
  lake: string;
  status: Severity;
  findings: Finding[];
  coverage: CoverageSummary[];
  cells: SeriesCell[];
  repairs: { attempted: number; candlesWritten: number; notRepaired: number; skippedReason?: string };
  counts: { series: number; candles: number; objects: number; staleSeries: number; bySeverity: Record<'INFO' | 'WARNING' | 'CRITICAL', number> };
  seconds: number;
  /** Seconds per phase (health, series, crossTimeframe, gaps), for the bench and for slow days. */
  timings: Record<string, number>;
}
