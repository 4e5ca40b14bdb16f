/**
 * The alternative.me stand-in's data: one Fear & Greed value per UTC day, a deterministic
 * function of the date (slow mood swings plus daily noise), classified with alternative.me's bands.
 */

const DAY_MS = 86_400_000;

/** One day as the stand-in serves it. */
export interface FearGreedDay {
  dateMs: number;
  value: number;
  classification: string;
}

/**
 * alternative.me's classification bands.
 * @example classify(50) // 'Neutral'
 */
export function classify(value: number): string {
  if (value <= 24) return 'Extreme Fear';
  if (value <= 46) return 'Fear';
  if (value <= 54) return 'Neutral';
  if (value <= 75) return 'Greed';
  return 'Extreme Greed';
}

/**
 * The index on one day (00:00 UTC).
 * @example fearGreedOn(Date.UTC(2024, 5, 3)).classification // one of the five bands
 */
export function fearGreedOn(dateMs: number): FearGreedDay {
  const day = Math.floor(dateMs / DAY_MS);
  const wave = 28 * Math.sin((2 * Math.PI * day) / 97) + 12 * Math.sin((2 * Math.PI * day) / 23 + 1);
  const value = Math.max(0, Math.min(100, Math.round(50 + wave + (noise(day) - 0.5) * 16)));
  return { dateMs: day * DAY_MS, value, classification: classify(value) };
}

/**
 * Every day from `startMs`'s day through `nowMs`'s day, oldest first.
 * @example historyThrough(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3, 12)).length // 3
 */
export function historyThrough(startMs: number, nowMs: number): FearGreedDay[] {
  const out: FearGreedDay[] = [];
  for (let dayMs = Math.floor(startMs / DAY_MS) * DAY_MS; dayMs <= nowMs; dayMs += DAY_MS) out.push(fearGreedOn(dayMs));
  return out;
}

function noise(day: number): number {
  let h = 0x2545f491 ^ Math.imul(day | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
