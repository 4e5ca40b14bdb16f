/**
 * Sanity rules for stored candles. The counting runs elsewhere (SQL over the Parquet parts);
 * this file defines the rules that SQL mirrors and turns its counts into findings. Also the
 * cross-timeframe rule: a coarse candle must be the aggregate of the fine candles it spans.
 */
import type { Timeframe } from '../../config/universe.ts';
import { findingKey, plural, utcMinute } from './format.ts';
import type { Finding, FindingKind, OhlcvField, OhlcvValues, SanityCountName, SanityCounts, SeriesRef } from './types.ts';

/**
 * A move of more than 30 % from one candle's close to the next candle's open or close is an
 * extreme jump. Liquid majors rarely move that much even in a day (BTC's worst day since 2017 was
 * about −40 %, March 2020), while a bad print or a wrongly scaled price (a decimal shift is ×10)
 * is far beyond it. Small caps in the universe (PEPE, WIF, BONK…) do occasionally move 30 % for
 * real, which is why a jump is a WARNING to look at, never CRITICAL.
 * @example DEFAULT_JUMP_THRESHOLD_PCT // 30
 */
export const DEFAULT_JUMP_THRESHOLD_PCT = 30;

/**
 * Whether a candle jumps more than `thresholdPct` away from the previous close, at its open or
 * at its close: `|x − prevClose| / prevClose × 100 > thresholdPct` for x = open or close.
 * The open counts too because on a 24/7 market a candle opens at (about) the previous close; a
 * big opening gap means a candle is wrong or missing. Relative to `prevClose`, so +30 % and −30 %
 * are the same size. Evaluated as `|x − prevClose| × 100 > thresholdPct × prevClose`, without a
 * division, so a move of exactly the threshold (130 after 100) is not extreme despite float
 * rounding. Returns false when `prevClose` is not a positive finite number: there is no
 * meaningful ratio, and such a price is an OHLC problem reported by the other rules.
 *
 * SQL mirror: `greatest(abs(open - prev_close), abs(close - prev_close)) * 100 > threshold * prev_close`.
 *
 * @example isExtremeJump(100, 100, 131, 30) // true
 * @example isExtremeJump(100, 100, 130, 30) // false (exactly 30 % is not more than 30 %)
 */
export function isExtremeJump(prevClose: number, open: number, close: number, thresholdPct: number): boolean {
  if (!(prevClose > 0) || !Number.isFinite(prevClose)) return false;
  const moveAbs = Math.max(Math.abs(open - prevClose), Math.abs(close - prevClose));
  return moveAbs * 100 > thresholdPct * prevClose;
}

interface SanityRule {
  count: SanityCountName;
  kind: FindingKind;
  severity: Finding['severity'];
  /** "… <what>" after "BTC/USDT 1h has 3 candles" — kept short for the digest. */
  what: string;
}

/** One line per rule, in report order. */
const SANITY_RULES: readonly SanityRule[] = [
  { count: 'ohlcInconsistent', kind: 'ohlc-inconsistent', severity: 'CRITICAL', what: 'with inconsistent OHLC (high below low, or open/close outside the range)' },
  { count: 'negativeVolume', kind: 'negative-volume', severity: 'CRITICAL', what: 'with negative volume' },
  { count: 'duplicateTimes', kind: 'duplicate-time', severity: 'CRITICAL', what: 'stored more than once for the same open time' },
  { count: 'misalignedTimes', kind: 'misaligned-time', severity: 'CRITICAL', what: 'with an open time off the timeframe grid' },
  { count: 'extremeJumps', kind: 'extreme-jump', severity: 'WARNING', what: 'jumping more than {pct} % from the previous close' },
];

/**
 * Findings for the bad-row counts of one series: one per non-zero count. CRITICAL for
 * inconsistent OHLC, negative volume, duplicate and misaligned open times (the data is wrong);
 * WARNING for extreme jumps (the data may be right). `firstExamples` gives the open time of the
 * first offending row per count name, shown in the text and details.
 *
 * @example
 * sanityFindings({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
 *   { ohlcInconsistent: 0, negativeVolume: 0, duplicateTimes: 2, misalignedTimes: 0, extremeJumps: 0 })
 * // [{ kind: 'duplicate-time', severity: 'CRITICAL', key: 'validate:duplicate-time:binance:BTC/USDT:1h', details: { count: 2 }, … }]
 */
export function sanityFindings(series: SeriesRef, counts: SanityCounts, jumpThresholdPct = DEFAULT_JUMP_THRESHOLD_PCT): Finding[] {
  const { exchange, symbol, timeframe } = series;
  const findings: Finding[] = [];
  for (const rule of SANITY_RULES) {
    const count = counts[rule.count];
    if (!(count > 0)) continue;
    const firstExampleMs = counts.firstExamples?.[rule.count];
    const what = rule.what.replace('{pct}', String(jumpThresholdPct));
    const example = firstExampleMs === undefined ? '' : ` (first at ${utcMinute(firstExampleMs)})`;
    findings.push({
      kind: rule.kind,
      severity: rule.severity,
      key: findingKey(rule.kind, exchange, symbol, timeframe),
      symbol,
      timeframe,
      text: `${symbol} ${timeframe} has ${plural(count, 'candle')} ${what}${example}`,
      details: {
        count,
        ...(firstExampleMs === undefined ? {} : { firstExampleMs }),
        ...(rule.kind === 'extreme-jump' ? { thresholdPct: jumpThresholdPct } : {}),
      },
    });
  }
  return findings;
}

/** Equal within a relative tolerance (of the larger magnitude); exact equality always agrees. */
function agrees(a: number, b: number, relTolerance: number): boolean {
  return a === b || Math.abs(a - b) <= relTolerance * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Whether a coarse candle is the aggregate of the fine candles it spans: open = first fine open,
 * close = last fine close, high = max of highs, low = min of lows, volume = sum of volumes, each
 * within `relTolerance` (relative to the larger value; floats summed in another order differ in
 * the last bits). Returns the first field that disagrees, checked in the order open, high, low,
 * close, volume, or `undefined` when all agree.
 *
 * `fine` must be the complete, time-ordered set of fine candles in the coarse window; checking
 * that it is complete (count = coarse / fine length) is the caller's job. Throws on an empty
 * `fine`: there is nothing to compare.
 *
 * @example
 * crossTimeframeAgrees({ open: 1, high: 3, low: 0.5, close: 2, volume: 0.3 },
 *   [{ open: 1, high: 3, low: 1, close: 1.5, volume: 0.1 }, { open: 1.5, high: 2, low: 0.5, close: 2, volume: 0.2 }])
 * // undefined (0.1 + 0.2 = 0.30000000000000004 agrees with 0.3)
 */
export function crossTimeframeAgrees(coarse: OhlcvValues, fine: readonly OhlcvValues[], relTolerance = 1e-9): OhlcvField | undefined {
  const first = fine[0];
  const last = fine[fine.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('crossTimeframeAgrees needs at least one fine candle');
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (const c of fine) {
    if (c.high > high) high = c.high;
    if (c.low < low) low = c.low;
    volume += c.volume;
  }
  const aggregate: OhlcvValues = { open: first.open, high, low, close: last.close, volume };
  const fields: readonly OhlcvField[] = ['open', 'high', 'low', 'close', 'volume'];
  return fields.find((field) => !agrees(coarse[field], aggregate[field], relTolerance));
}

/**
 * CRITICAL finding when `mismatches` coarse candles of a series disagree with the finer
 * timeframe's aggregate; `undefined` when there are none. `example` names the first one.
 *
 * @example
 * crossTimeframeFinding({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, '15m', 2,
 *   { openTimeMs: Date.UTC(2024, 5, 1), field: 'volume' })
 * // { kind: 'cross-timeframe', severity: 'CRITICAL', key: 'validate:cross-timeframe:binance:BTC/USDT:1h:15m', … }
 */
export function crossTimeframeFinding(
  series: SeriesRef,
  fineTimeframe: Timeframe,
  mismatches: number,
  example?: { openTimeMs: number; field: OhlcvField },
): Finding | undefined {
  if (!(mismatches > 0)) return undefined;
  const { exchange, symbol, timeframe } = series;
  const first = example === undefined ? '' : ` (first at ${utcMinute(example.openTimeMs)}: ${example.field})`;
  return {
    kind: 'cross-timeframe',
    severity: 'CRITICAL',
    key: findingKey('cross-timeframe', exchange, symbol, timeframe, fineTimeframe),
    symbol,
    timeframe,
    text: `${symbol} ${timeframe}: ${plural(mismatches, 'candle')} ${mismatches === 1 ? 'disagrees with the ' + fineTimeframe + ' candles it spans' : 'disagree with the ' + fineTimeframe + ' candles they span'}${first}`,
    details: {
      fineTimeframe,
      count: mismatches,
      ...(example === undefined ? {} : { firstExampleMs: example.openTimeMs, field: example.field }),
    },
  };
}
