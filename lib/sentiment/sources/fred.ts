/**
 * FRED (Federal Reserve Economic Data) as a MacroSource: `GET /fred/series/observations`,
 * JSON, oldest first, paged by `offset`/`limit` (at most 100,000 a page). Missing values (`.`,
 * holidays) are left out. The API key rides in the query string, so every URL and message this
 * module lets out is redacted.
 */
import { z } from 'zod';
import type { MacroPoint, MacroSource } from '../types.ts';
import { getJson, HTTP_DEFAULTS, withoutUndefined, type HttpSettings } from './http-json.ts';

/** Options of {@link createFredSource}; only `apiKey` is required. */
export interface FredOptions extends Partial<HttpSettings> {
  /** A FRED API key (32 lower-case letters and digits). Never logged. */
  apiKey: string;
  /** Default `https://api.stlouisfed.org`. */
  baseUrl?: string;
  /** Observations per request, 1..100000. Default 100000 (FRED's maximum). */
  pageSize?: number;
}

const SOURCE = 'fred';
const MAX_PAGE_SIZE = 100_000;

const DEFAULTS = { ...HTTP_DEFAULTS, baseUrl: 'https://api.stlouisfed.org', pageSize: MAX_PAGE_SIZE };

const pageSchema = z.object({
  count: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  observations: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'),
      value: z.string(),
    }),
  ),
});

/**
 * Creates the FRED source.
 * @example
 * const fred = createFredSource({ apiKey: process.env.FRED_API_KEY ?? '' });
 * const vix = await fred.observations('VIXCLS', Date.UTC(2024, 0, 1));
 */
export function createFredSource(options: FredOptions): MacroSource {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const apiKey = options.apiKey;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') throw new Error('FRED needs an API key (apiKey)');
  if (!(Number.isInteger(settings.pageSize) && settings.pageSize >= 1 && settings.pageSize <= MAX_PAGE_SIZE)) {
    throw new Error(`pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${settings.pageSize}`);
  }
  const base = settings.baseUrl.replace(/\/+$/, '');
  new URL(base); // rejects a malformed base URL now rather than on the first request
  const secrets = [apiKey];

  return {
    async observations(seriesId: string, sinceMs?: number): Promise<MacroPoint[]> {
      if (!/^[A-Za-z0-9_]+$/.test(seriesId)) throw new Error(`not a FRED series id: ${JSON.stringify(seriesId)}`);
      if (sinceMs !== undefined && !Number.isFinite(sinceMs)) throw new Error(`sinceMs must be a finite time, got ${sinceMs}`);
      const byDay = new Map<number, MacroPoint>();
      let offset = 0;
      for (;;) {
        const query = new URLSearchParams({
          series_id: seriesId,
          api_key: apiKey,
          file_type: 'json',
          sort_order: 'asc',
          limit: String(settings.pageSize),
          offset: String(offset),
        });
        if (sinceMs !== undefined) query.set('observation_start', new Date(sinceMs).toISOString().slice(0, 10));
        const page = await getJson(
          { source: SOURCE, url: `${base}/fred/series/observations?${query}`, schema: pageSchema, secrets, describeError: fredErrorMessage },
          settings,
        );
        for (const row of page.observations) {
          const value = Number(row.value);
          // FRED writes a missing observation as "."; anything else non-numeric is treated the same.
          if (row.value.trim() === '' || !Number.isFinite(value)) continue;
          const dateMs = Date.parse(`${row.date}T00:00:00Z`);
          if (sinceMs !== undefined && dateMs < sinceMs) continue;
          byDay.set(dateMs, { dateMs, value });
        }
        offset += page.observations.length;
        if (page.observations.length === 0 || offset >= page.count) break;
      }
      return [...byDay.values()].sort((a, b) => a.dateMs - b.dateMs);
    },
  };
}

/** FRED's errors: `{ "error_code": 400, "error_message": "Bad Request.  ..." }`. */
function fredErrorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error_message' in body && typeof body.error_message === 'string') return body.error_message;
  return undefined;
}
