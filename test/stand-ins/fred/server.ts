/**
 * A FRED API stand-in on loopback: `GET /fred/series/observations` with FRED's parameters,
 * paging (`offset`/`limit` ≤ 100000), `.` for missing days, and FRED's error JSON
 * (`{ error_code, error_message }`) for a missing or unknown API key, an unknown series and bad
 * parameters. Faults from {@link HttpFaultRule}.
 */
import { json, startJsonStandIn, type JsonReply, type JsonRouteRequest, type JsonStandIn } from '../shared/json-stand-in.ts';
import { FRED_SERIES, isoDate, observationsOf } from './series.ts';
import { FRED_STAND_IN_KEY } from '../../harness/test-secrets.ts';

// Defined with the other fake secrets so the log guard knows it; exported here for the stand-in's users.
export { FRED_STAND_IN_KEY };

/** Options of {@link startFredStandIn}; every field has a default. */
export interface FredStandInOptions {
  /** The one API key accepted. Default {@link FRED_STAND_IN_KEY}. */
  apiKey?: string;
  /** First observation date of every series. Default 2018-01-01. */
  startMs?: number;
  /** Clock: observations run through the business day before today. Default `Date.now`. */
  now?: () => number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

/** A running FRED stand-in: its `url` goes in place of `https://api.stlouisfed.org`. */
export type FredStandIn = JsonStandIn;

const MAX_LIMIT = 100_000;
const KEY_HELP = 'Read https://fred.stlouisfed.org/docs/api/api_key.html for more about API keys.';

/**
 * Starts the FRED stand-in.
 * @example
 * const fred = await startFredStandIn({ now: () => Date.UTC(2024, 5, 10) });
 * await fetch(`${fred.url}/fred/series/observations?series_id=SP500&api_key=${FRED_STAND_IN_KEY}&file_type=json`);
 * await fred.close();
 */
export async function startFredStandIn(options: FredStandInOptions = {}): Promise<FredStandIn> {
  const apiKey = options.apiKey ?? FRED_STAND_IN_KEY;
  const startMs = options.startMs ?? Date.UTC(2018, 0, 1);
  if (!Number.isFinite(startMs)) throw new Error(`startMs must be a finite time, got ${startMs}`);
  return startJsonStandIn({
    host: options.host,
    port: options.port,
    now: options.now,
    route: (request) => (request.path.replace(/\/+$/, '') === '/fred/series/observations' ? observations(request, apiKey, startMs) : undefined),
    statusBody: (status) => (status === 429 ? fredError(429, 'Too Many Requests.  Exceeded Rate Limit') : undefined),
  });
}

function observations({ query, nowMs, emptyPage }: JsonRouteRequest, apiKey: string, startMs: number): JsonReply {
  const key = query['api_key'];
  if (key === undefined || key === '') return fredError(400, `Bad Request.  Variable api_key is not set.  ${KEY_HELP}`);
  if (!/^[a-z0-9]{32}$/.test(key)) {
    return fredError(400, `Bad Request.  The value for variable api_key is not a 32 character alpha-numeric lower-case string.  ${KEY_HELP}`);
  }
  if (key !== apiKey) return fredError(400, `Bad Request.  The value for variable api_key is not registered.  ${KEY_HELP}`);
  if (query['file_type'] !== 'json') {
    // Without file_type=json FRED answers XML.
    return { status: 200, contentType: 'text/xml; charset=UTF-8', body: '<?xml version="1.0" encoding="utf-8" ?>\n<observations count="0"></observations>\n' };
  }
  const seriesId = query['series_id'];
  if (seriesId === undefined || seriesId === '') return fredError(400, 'Bad Request.  Variable series_id is not set.');
  const spec = FRED_SERIES.get(seriesId);
  if (spec === undefined) return fredError(400, 'Bad Request.  The series does not exist.');
  const limit = query['limit'] === undefined ? MAX_LIMIT : Number(query['limit']);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT)) {
    return fredError(400, `Bad Request.  Variable limit is not between 1 and ${MAX_LIMIT}.`);
  }
  const offset = query['offset'] === undefined ? 0 : Number(query['offset']);
  if (!(Number.isInteger(offset) && offset >= 0)) return fredError(400, 'Bad Request.  Variable offset is not 0 or a positive integer.');
  const sortOrder = query['sort_order'] ?? 'asc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') return fredError(400, "Bad Request.  Variable sort_order should be one of 'asc' or 'desc'.");
  const from = parseDate(query['observation_start'] ?? '1776-07-04');
  const to = parseDate(query['observation_end'] ?? '9999-12-31');
  if (from === undefined) return fredError(400, 'Bad Request.  Variable observation_start is not a valid date.');
  if (to === undefined) return fredError(400, 'Bad Request.  Variable observation_end is not a valid date.');
  if (from > to) return fredError(400, 'Bad Request.  The observation_start date can not be after the observation_end date.');

  const today = isoDate(nowMs);
  const all = emptyPage ? [] : observationsOf(spec, Math.max(startMs, from), Math.min(nowMs, to + 86_400_000));
  const ordered = sortOrder === 'asc' ? all : [...all].reverse();
  return json(200, {
    realtime_start: today,
    realtime_end: today,
    observation_start: query['observation_start'] ?? '1776-07-04',
    observation_end: query['observation_end'] ?? '9999-12-31',
    units: 'lin',
    output_type: 1,
    file_type: 'json',
    order_by: 'observation_date',
    sort_order: sortOrder,
    count: all.length,
    offset,
    limit,
    observations: ordered.slice(offset, offset + limit).map((row) => ({ realtime_start: today, realtime_end: today, ...row })),
  });
}

/** FRED's error body. */
function fredError(code: number, message: string): JsonReply {
  return json(code, { error_code: code, error_message: message });
}

function parseDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && isoDate(ms) === text ? ms : undefined;
}
