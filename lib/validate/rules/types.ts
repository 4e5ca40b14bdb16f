/**
 * Types shared by the validate job's rules: what a finding looks like, how bad it is, and the
 * small value types the rules take and return. Behaviour lives in the sibling files.
 */
import type { Timeframe } from '../../config/universe.ts';
import type { SeriesId } from '../../lake/keys.ts';

/** How bad a result is, in ascending order. `OK` is only ever an overall status, never a finding. */
export type Severity = 'OK' | 'INFO' | 'WARNING' | 'CRITICAL';

/** What a finding is about. One rule file produces each group of kinds. */
export type FindingKind =
  | 'stale'
  | 'missing-series'
  | 'delisted'
  | 'gap-exchange'
  | 'gap-ingestion'
  | 'ohlc-inconsistent'
  | 'negative-volume'
  | 'duplicate-time'
  | 'misaligned-time'
  | 'extreme-jump'
  | 'cross-timeframe'
  | 'unreadable-object'
  | 'schema-mismatch'
  | 'compaction-due'
  | 'repaired'
  | 'gap-sentiment';

/** Something the validator wants a person to know about. */
export interface Finding {
  kind: FindingKind;
  severity: Exclude<Severity, 'OK'>;
  /**
   * Stable across runs for the same problem, so alerts de-duplicate: e.g.
   * `validate:stale:binance:BTC/USDT:1h`, `validate:gap-ingestion:binance:BTC/USDT:1h:20240601T0000Z`.
   */
  key: string;
  symbol?: string;
  timeframe?: Timeframe;
  /** One short human sentence. */
  text: string;
  /** Machine details (lagMs, fromMs, toMs, count, objectKey...). */
  details?: Record<string, unknown>;
}

/** One stored candle series: the same shape the lake's key layout uses. */
export type SeriesRef = SeriesId;

/** Staleness limits of one timeframe. A lag is `expected − stored` open time, in ms. */
export interface StalenessThresholds {
  /** WARNING from this lag on (inclusive). */
  warningLagMs: number;
  /** CRITICAL once the lag exceeds this (exclusive). */
  criticalLagMs: number;
}

/** Options of `expectedNewestOpenTime`. */
export interface ExpectedNewestOptions {
  /** Five-field cron (UTC) of the update job. Default: `30 0 * * *`, as in `lib/schedule/jobs.json`. */
  updateCron?: string;
  /** Time the update is given to finish after its scheduled start. Default: 20 minutes. */
  graceMs?: number;
}

/**
 * A run of consecutive missing candles. `fromMs` and `toMs` are the open times of the first and
 * the last MISSING candle (inclusive); `missing` is how many candles that is.
 */
export interface Gap {
  fromMs: number;
  toMs: number;
  missing: number;
}

/**
 * Where a gap comes from. `exchange`: the exchange itself has no candles there (remembered as a
 * known gap; nothing to repair). `ingestion`: the exchange has them, the lake does not.
 */
export type GapOrigin = 'exchange' | 'ingestion';

/** Optional bounds (open times, inclusive) of the range a series is expected to cover. */
export interface GapWindow {
  fromMs?: number;
  toMs?: number;
}

/** Names of the per-series counts the sanity SQL produces. */
export type SanityCountName = 'ohlcInconsistent' | 'negativeVolume' | 'duplicateTimes' | 'misalignedTimes' | 'extremeJumps';

/** Counts of bad rows in one series, computed elsewhere (by SQL over the stored Parquet). */
export type SanityCounts = Record<SanityCountName, number> & {
  /** Open time (ms) of the first offending row, per count name, e.g. `{ ohlcInconsistent: 1717200000000 }`. */
  firstExamples?: Partial<Record<SanityCountName, number>>;
};

/** The fields of a candle that a coarser candle aggregates. */
export interface OhlcvValues {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A field of a candle. */
export type OhlcvField = keyof OhlcvValues;

/** What the exchange currently says about a market, from the `markets` snapshot. */
export interface MarketStatus {
  /** False once the exchange no longer lists the market. */
  listed: boolean;
  /** The exchange's own status string (TRADING, BREAK, …). */
  status: string;
}

/** Input of `coverageFindings`. */
export interface CoverageInput {
  exchange: string;
  /** Configured symbols (unified, `BASE/QUOTE`). */
  symbols: readonly string[];
  timeframes: readonly Timeframe[];
  /** Series that hold at least one candle, as `${symbol}|${timeframe}`. */
  present: ReadonlySet<string>;
  /** Per symbol; a symbol without an entry is assumed still listed. */
  marketStatus: ReadonlyMap<string, MarketStatus>;
}

/** Coverage of one timeframe. */
export interface CoverageSummary {
  timeframe: Timeframe;
  /** Configured symbols with data. */
  have: number;
  /** Configured symbols. */
  total: number;
  /** Symbols without data that the exchange still lists. */
  missing: string[];
  /** Symbols without data that the exchange no longer lists. */
  delisted: string[];
}

/** Result of `coverageFindings`. */
export interface CoverageResult {
  findings: Finding[];
  summary: CoverageSummary[];
}

/** A column the schema check expects: the name exactly, the type by pattern (e.g. `/^DECIMAL\(\d+,\d+\)$/`). */
export interface ExpectedColumn {
  name: string;
  typePattern: RegExp;
}

/** A column as a Parquet file (or DuckDB's DESCRIBE) reports it. */
export interface ActualColumn {
  name: string;
  type: string;
}
