/**
 * The validate job's SQL: every check that looks at candles runs as one DuckDB query over the
 * `ohlcv` view, returning small aggregates; the rules that judge them are pure functions
 * (lib/validate/rules). Timeframe lengths come from the same table as everywhere else.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TIMEFRAMES, type Timeframe } from '../config/universe.ts';
import { timeframeMs } from '../candles/timeframe.ts';
import type { SentimentSeriesStats } from './rules/sentiment.ts';

/** `CASE timeframe WHEN '1h' THEN 3600000 … END`: bar length in ms per row. */
const TF_MS = `CASE timeframe ${TIMEFRAMES.map((tf) => `WHEN '${tf}' THEN ${timeframeMs(tf)}`).join(' ')} END`;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const inList = (values: readonly string[]) => `(${values.map(quote).join(', ')})`;

export interface SeriesStats {
  symbol: string;
  timeframe: Timeframe;
  candles: number;
  firstMs: number;
  lastMs: number;
  duplicateTimes: number;
  ohlcInconsistent: number;
  negativeVolume: number;
  misalignedTimes: number;
  extremeJumps: number;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Per-series counts for staleness, coverage and sanity, in one scan. */
export async function seriesStats(
  connection: DuckDBConnection,
  scope: { symbols: readonly string[]; timeframes: readonly Timeframe[] },
  jumpThresholdPct: number,
): Promise<SeriesStats[]> {
  const result = await rows(
    connection,
    `WITH c AS (
       SELECT symbol, timeframe, open_time, open, high, low, close, volume, ${TF_MS} AS tf_ms,
              lag(close) OVER (PARTITION BY symbol, timeframe ORDER BY open_time) AS prev_close
       FROM ohlcv WHERE symbol IN ${inList(scope.symbols)} AND timeframe IN ${inList(scope.timeframes)})
     SELECT symbol, timeframe, count(*)::BIGINT AS candles,
            epoch_ms(min(open_time))::DOUBLE AS first_ms, epoch_ms(max(open_time))::DOUBLE AS last_ms,
            (count(*) - count(DISTINCT open_time))::BIGINT AS duplicate_times,
            count(*) FILTER (WHERE high < low OR open > high OR open < low OR close > high OR close < low)::BIGINT AS ohlc_inconsistent,
            count(*) FILTER (WHERE volume < 0)::BIGINT AS negative_volume,
            count(*) FILTER (WHERE epoch_ms(open_time) % tf_ms <> 0)::BIGINT AS misaligned_times,
            count(*) FILTER (WHERE prev_close > 0 AND abs(close / prev_close - 1) * 100 > ${jumpThresholdPct})::BIGINT AS extreme_jumps
     FROM c GROUP BY symbol, timeframe`,
  );
  return result.map((r) => ({
    symbol: String(r['symbol']),
    timeframe: r['timeframe'] as Timeframe,
    candles: Number(r['candles']),
    firstMs: Number(r['first_ms']),
    lastMs: Number(r['last_ms']),
    duplicateTimes: Number(r['duplicate_times']),
    ohlcInconsistent: Number(r['ohlc_inconsistent']),
    negativeVolume: Number(r['negative_volume']),
    misalignedTimes: Number(r['misaligned_times']),
    extremeJumps: Number(r['extreme_jumps']),
  }));
}

export interface GapRow {
  symbol: string;
  timeframe: Timeframe;
  /** First and last missing open time, inclusive. */
  fromMs: number;
  toMs: number;
  missing: number;
}

/** Every missing interval inside each series, as ranges (a window function, not a calendar join). */
export async function seriesGaps(connection: DuckDBConnection, scope: { symbols: readonly string[]; timeframes: readonly Timeframe[] }): Promise<GapRow[]> {
  const result = await rows(
    connection,
    `WITH c AS (
       SELECT symbol, timeframe, epoch_ms(open_time)::DOUBLE AS t, ${TF_MS}::DOUBLE AS tf_ms,
              epoch_ms(lead(open_time) OVER (PARTITION BY symbol, timeframe ORDER BY open_time))::DOUBLE AS next_t
       FROM ohlcv WHERE symbol IN ${inList(scope.symbols)} AND timeframe IN ${inList(scope.timeframes)})
     SELECT symbol, timeframe, t + tf_ms AS from_ms, next_t - tf_ms AS to_ms, (next_t - t) / tf_ms - 1 AS missing
     FROM c WHERE next_t - t > tf_ms ORDER BY symbol, timeframe, t`,
  );
  return result.map((r) => ({
    symbol: String(r['symbol']),
    timeframe: r['timeframe'] as Timeframe,
    fromMs: Number(r['from_ms']),
    toMs: Number(r['to_ms']),
    missing: Number(r['missing']),
  }));
}

export interface CrossTimeframeRow {
  symbol: string;
  coarse: Timeframe;
  fine: Timeframe;
  mismatches: number;
  exampleOpenTimeMs: number;
  /** The first disagreeing field of the earliest mismatch. */
  exampleField: 'open' | 'high' | 'low' | 'close' | 'volume';
}

/**
 * Coarse candles that disagree with the complete set of fine candles they cover (4h vs 1h, 1d vs 1h):
 * open = first open, close = last close, high = max, low = min, volume = sum within `relTolerance`.
 * Incomplete buckets are left to the gap check.
 */
export async function crossTimeframeMismatches(
  connection: DuckDBConnection,
  symbols: readonly string[],
  pairs: ReadonlyArray<[coarse: Timeframe, fine: Timeframe]>,
  relTolerance = 1e-9,
): Promise<CrossTimeframeRow[]> {
  const out: CrossTimeframeRow[] = [];
  for (const [coarse, fine] of pairs) {
    const per = timeframeMs(coarse) / timeframeMs(fine);
    const differs = (a: string, b: string) => `abs(${a} - ${b}) > ${relTolerance} * greatest(abs(${a}), abs(${b}), 1e-12)`;
    const result = await rows(
      connection,
      `WITH f AS (
         SELECT symbol, time_bucket(INTERVAL ${timeframeMs(coarse) / 60_000} MINUTE, open_time) AS bucket,
                arg_min(open, open_time) AS o, max(high) AS h, min(low) AS l, arg_max(close, open_time) AS c, sum(volume) AS v, count(*) AS k
         FROM ohlcv WHERE timeframe = '${fine}' AND symbol IN ${inList(symbols)} GROUP BY ALL),
       m AS (
         SELECT x.symbol, x.open_time,
                CASE WHEN ${differs('x.open', 'f.o')} THEN 'open' WHEN ${differs('x.high', 'f.h')} THEN 'high'
                     WHEN ${differs('x.low', 'f.l')} THEN 'low' WHEN ${differs('x.close', 'f.c')} THEN 'close'
                     WHEN ${differs('x.volume', 'f.v')} THEN 'volume' END AS field
         FROM ohlcv x JOIN f ON x.symbol = f.symbol AND x.open_time = f.bucket
         WHERE x.timeframe = '${coarse}' AND f.k = ${per})
       SELECT symbol, count(*)::BIGINT AS mismatches, epoch_ms(min(open_time))::DOUBLE AS example, arg_min(field, open_time) AS field
       FROM m WHERE field IS NOT NULL GROUP BY symbol`,
    );
    for (const r of result) {
      out.push({
        symbol: String(r['symbol']), coarse, fine, mismatches: Number(r['mismatches']),
        exampleOpenTimeMs: Number(r['example']), exampleField: r['field'] as CrossTimeframeRow['exampleField'],
      });
    }
  }
  return out;
}

/**
 * Each sentiment series' row count, newest time, cadence (the most common spacing) and its holes
 * longer than 1.5 cadences (at most 20 per series), over the sentiment views.
 */
export async function sentimentSeriesStats(connection: DuckDBConnection): Promise<SentimentSeriesStats[]> {
  const result = await rows(
    connection,
    `WITH t AS (
       SELECT 'fear_greed' AS dataset, 'index' AS series, epoch_ms(date::TIMESTAMP) AS ms FROM fear_greed
       UNION ALL SELECT 'funding', symbol, epoch_ms(funding_time) FROM funding
       UNION ALL SELECT 'open_interest', symbol || ' ' || period, epoch_ms(time) FROM open_interest
       UNION ALL SELECT 'long_short_ratio', symbol || ' ' || period, epoch_ms(time) FROM long_short_ratio
       UNION ALL SELECT 'macro', series, epoch_ms(date::TIMESTAMP) FROM macro),
     d AS (SELECT dataset, series, ms, ms - lag(ms) OVER (PARTITION BY dataset, series ORDER BY ms) AS diff FROM t),
     c AS (SELECT dataset, series, mode(diff) AS cadence FROM d WHERE diff > 0 GROUP BY ALL)
     SELECT d.dataset, d.series, count(*)::BIGINT AS n, max(d.ms)::DOUBLE AS last_ms, coalesce(c.cadence, 0)::DOUBLE AS cadence,
            list([(d.ms - d.diff + c.cadence)::DOUBLE, d.ms::DOUBLE] ORDER BY d.ms) FILTER (WHERE d.diff > 1.5 * c.cadence) AS gaps
     FROM d LEFT JOIN c USING (dataset, series) GROUP BY d.dataset, d.series, c.cadence ORDER BY d.dataset, d.series`,
  );
  return result.map((r) => ({
    dataset: String(r['dataset']),
    series: String(r['series']),
    rows: Number(r['n']),
    lastMs: Number(r['last_ms']),
    cadenceMs: Number(r['cadence']),
    gaps: ((r['gaps'] as number[][] | null) ?? []).slice(0, 20).map(([fromMs, toMs]) => ({ fromMs: Number(fromMs), toMs: Number(toMs) })),
  }));
}
