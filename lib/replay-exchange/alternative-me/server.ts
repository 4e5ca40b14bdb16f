/**
 * An alternative.me Fear & Greed Index stand-in on loopback: `GET /fng/?limit=N&format=json`,
 * newest first, Unix seconds as strings, `time_until_update` on the newest entry, `limit=0` for
 * everything, errors in `metadata.error`. Faults from {@link HttpFaultRule}.
 */
import {
  json,
  startJsonStandIn,
  type JsonReply,
  type JsonRouteRequest,
  type JsonStandIn,
} from '../shared/json-stand-in.ts';
import { historyThrough } from './history.ts';

/** Options of {@link startAlternativeMeStandIn}; every field has a default. */
export interface AlternativeMeStandInOptions {
  /** First day of the index. Default 2018-02-01, as on alternative.me. */
  startMs?: number;
  /** Clock: the newest point is today's (00:00 UTC). Default `Date.now`. */
  now?: () => number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

/** A running alternative.me stand-in: its `url` goes in place of `https://api.alternative.me`. */
export type AlternativeMeStandIn = JsonStandIn;

const NAME = 'Fear and Greed Index';
const DAY_MS = 86_400_000;

/**
 * The body alternative.me sends with an error: HTTP 200, no data, the message in `metadata.error`.
 * Use as a `status` fault's body: `{ type: 'status', status: 200, body: apiErrorBody('...') }`.
 * @example JSON.parse(apiErrorBody('Limit must be a number')).metadata.error // 'Limit must be a number'
 */
export function apiErrorBody(message: string): string {
  return JSON.stringify({ name: NAME, data: [], metadata: { error: message } });
}

/**
 * Starts the alternative.me stand-in.
 * @example
 * const fng = await startAlternativeMeStandIn({ now: () => Date.UTC(2024, 5, 10, 12) });
 * const body = await (await fetch(`${fng.url}/fng/?limit=7&format=json`)).json();
 * await fng.close();
 */
export async function startAlternativeMeStandIn(options: AlternativeMeStandInOptions = {}): Promise<AlternativeMeStandIn> {
  const startMs = options.startMs ?? Date.UTC(2018, 1, 1);
  if (!Number.isFinite(startMs)) throw new Error(`startMs must be a finite time, got ${startMs}`);
  return startJsonStandIn({
    host: options.host,
    port: options.port,
    now: options.now,
    route: (request) => (request.path === '/fng/' || request.path === '/fng' ? fng(request, startMs) : undefined),
  });
}

function fng({ query, nowMs, emptyPage }: JsonRouteRequest, startMs: number): JsonReply {
  const limitText = query['limit'] ?? '1';
  if (!/^\d+$/.test(limitText)) return { status: 200, body: apiErrorBody('Limit must be a positive integer or 0.'), contentType: 'application/json' };
  const limit = Number(limitText);
  const newestFirst = emptyPage ? [] : historyThrough(startMs, nowMs).reverse();
  const page = limit === 0 ? newestFirst : newestFirst.slice(0, limit);
  const untilUpdateSec = Math.ceil((Math.floor(nowMs / DAY_MS + 1) * DAY_MS - nowMs) / 1000);
  return json(200, {
    name: NAME,
    data: page.map((day, index) => ({
      value: String(day.value),
      value_classification: day.classification,
      timestamp: String(day.dateMs / 1000),
      ...(index === 0 ? { time_until_update: String(untilUpdateSec) } : {}),
    })),
    metadata: { error: null },
  });
}
