/**
 * The FRED stand-in's data: four daily series (broad dollar index, S&P 500, VIX, 10-year
 * Treasury yield), business days only, `.` on US market holidays and a few scattered days, as
 * FRED publishes them. Values are deterministic functions of series and date.
 */

/** How one synthetic series looks. */
export interface SeriesSpec {
  id: string;
  title: string;
  /** Typical level. */
  level: number;
  /** Relative swing of the slow waves, e.g. 0.2 = ±20 %. */
  swing: number;
  decimals: number;
}

/** The series served, keyed by FRED id. */
export const FRED_SERIES: ReadonlyMap<string, SeriesSpec> = new Map(
  [
    { id: 'DTWEXBGS', title: 'Nominal Broad U.S. Dollar Index', level: 120, swing: 0.05, decimals: 4 },
    { id: 'SP500', title: 'S&P 500', level: 4500, swing: 0.2, decimals: 2 },
    { id: 'VIXCLS', title: 'CBOE Volatility Index: VIX', level: 18, swing: 0.35, decimals: 2 },
    { id: 'DGS10', title: 'Market Yield on U.S. Treasury Securities at 10-Year Constant Maturity', level: 3, swing: 0.3, decimals: 2 },
  ].map((spec) => [spec.id, spec]),
);

const DAY_MS = 86_400_000;

/** One row as FRED writes it. */
export interface Observation {
  date: string;
  /** A number as text, or `'.'` when missing. */
  value: string;
}

/**
 * The observations of a series from `startMs` through the last business day before `nowMs`'s date
 * (FRED publishes daily series with a day's delay), oldest first.
 * @example observationsOf(FRED_SERIES.get('SP500')!, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 4))
 * // [{ date: '2024-01-01', value: '.' }, { date: '2024-01-02', value: '4742.83' }, ...]
 */
export function observationsOf(spec: SeriesSpec, startMs: number, nowMs: number): Observation[] {
  const out: Observation[] = [];
  const lastMs = Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS;
  for (let dayMs = Math.ceil(startMs / DAY_MS) * DAY_MS; dayMs <= lastMs; dayMs += DAY_MS) {
    const weekday = new Date(dayMs).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    out.push({ date: isoDate(dayMs), value: isMissing(spec, dayMs) ? '.' : valueOf(spec, dayMs).toFixed(spec.decimals) });
  }
  return out;
}

/**
 * The value of a series on a day (ignoring whether it is missing).
 * @example valueOf(FRED_SERIES.get('VIXCLS')!, Date.UTC(2024, 5, 3)) // ≈ 18 ± 35 %
 */
export function valueOf(spec: SeriesSpec, dayMs: number): number {
  const day = dayMs / DAY_MS;
  const seed = hashText(spec.id);
  const phase = (seed % 1000) / 1000;
  const wave = Math.sin(2 * Math.PI * (day / 365 + phase)) * 0.6 + Math.sin(2 * Math.PI * (day / 47 + phase)) * 0.3;
  const noise = (hash01(seed, Math.round(day)) - 0.5) * 0.2;
  return spec.level * (1 + spec.swing * (wave + noise));
}

/** `.` on New Year's Day, Independence Day and Christmas, and on about 1 % of other days per series. */
export function isMissing(spec: SeriesSpec, dayMs: number): boolean {
  const date = new Date(dayMs);
  const monthDay = `${date.getUTCMonth() + 1}-${date.getUTCDate()}`;
  if (monthDay === '1-1' || monthDay === '7-4' || monthDay === '12-25') return true;
  return hash01(hashText(spec.id) ^ 0x5bd1e995, Math.round(dayMs / DAY_MS)) < 0.01;
}

/**
 * `YYYY-MM-DD` of a UTC time.
 * @example isoDate(Date.UTC(2024, 5, 3)) // '2024-06-03'
 */
export function isoDate(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function hash01(seed: number, index: number): number {
  let h = seed ^ Math.imul(index | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
