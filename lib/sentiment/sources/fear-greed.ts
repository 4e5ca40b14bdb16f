/**
 * alternative.me's Fear & Greed Index as a FearGreedSource: `GET /fng/?limit=N&format=json`,
 * newest first on the wire (Unix seconds as strings), oldest first out of here. `limit=0` is the
 * whole history (since February 2018); an incremental read asks only for the days it needs.
 */
import { z } from 'zod';
import type { FearGreedPoint, FearGreedSource } from '../types.ts';
import { SourceRejectedError, redact } from './errors.ts';
import { getJson, HTTP_DEFAULTS, withoutUndefined, type HttpSettings } from './http-json.ts';

/** Options of {@link createFearGreedSource}; every field has a default. */
export interface FearGreedOptions extends Partial<HttpSettings> {
  /** Default `https://api.alternative.me`. */
  baseUrl?: string;
  /** Clock for the number of days to ask for. Default `Date.now`. */
  now?: () => number;
}

const SOURCE = 'alternative.me';
const DAY_MS = 86_400_000;
/** Extra days asked for on an incremental read: today's point and a day of clock or time-zone slack. */
const LIMIT_MARGIN_DAYS = 2;

const DEFAULTS = { ...HTTP_DEFAULTS, baseUrl: 'https://api.alternative.me', now: Date.now };

const integerString = z.string().regex(/^\d+$/, 'expected digits');
const responseSchema = z.object({
  data: z
    .array(
      z.object({
        value: integerString,
        value_classification: z.string(),
        timestamp: integerString,
      }),
    )
    .nullish(),
  metadata: z.object({ error: z.string().nullish() }),
});

/**
 * Creates the Fear & Greed source.
 * @example
 * const fearGreed = createFearGreedSource({ baseUrl: standIn.url });
 * const lastWeek = await fearGreed.history(Date.now() - 7 * 86_400_000);
 */
export function createFearGreedSource(options: FearGreedOptions = {}): FearGreedSource {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const base = settings.baseUrl.replace(/\/+$/, '');
  new URL(base); // rejects a malformed base URL now rather than on the first request

  return {
    async history(sinceMs?: number): Promise<FearGreedPoint[]> {
      if (sinceMs !== undefined && !Number.isFinite(sinceMs)) throw new Error(`sinceMs must be a finite time, got ${sinceMs}`);
      const limit = sinceMs === undefined ? 0 : Math.max(1, Math.ceil((settings.now() - sinceMs) / DAY_MS)) + LIMIT_MARGIN_DAYS;
      const url = `${base}/fng/?limit=${limit}&format=json`;
      const body = await getJson({ source: SOURCE, url, schema: responseSchema }, settings);
      if (body.metadata.error) throw new SourceRejectedError(SOURCE, 200, body.metadata.error, redact(url));
      const byDay = new Map<number, FearGreedPoint>();
      for (const row of body.data ?? []) {
        const dateMs = Number(row.timestamp) * 1000;
        const value = Number(row.value);
        if (sinceMs !== undefined && dateMs < sinceMs) continue;
        byDay.set(dateMs, { dateMs, value, classification: row.value_classification });
      }
      return [...byDay.values()].sort((a, b) => a.dateMs - b.dateMs);
    },
  };
}
