/**
 * The loopback HTTP core shared by the plain-JSON stand-ins (FRED, alternative.me): node:http on
 * 127.0.0.1, every request recorded, fault rules applied before the route runs. Each stand-in
 * brings only its routes and its API's error bodies.
 *
 * Order of work for each request: record it (status 0 until answered) → take the first matching
 * fault rule (`status`/`outage` answer now, `stall` waits first, `empty-page` is handed to the
 * route) → run the route → a `malformed-body` fault cuts the answer in half, as a 200.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { RuleRegistry } from '../shared/rule-registry.ts';
import { closeOnce, listeningUrl, stallFor, type StallRegistry } from './server-lifecycle.ts';
import type { FaultRuleOf, RuleController, RuleHandle } from './rule-registry.ts';

/** What a fault does to the requests it matches. */
export type HttpFaultAction =
  /** Answer with this status; the API's own body for the codes it documents, a proxy's HTML page otherwise. */
  | { type: 'status'; status: number; retryAfterSec?: number; body?: string }
  /** The whole service is down: a 503 page (`'status'`) or the connection dropped (`'socket'`). Use without `times`, then `clear()`. */
  | { type: 'outage'; mode: 'status' | 'socket' }
  /** Hold the response this long, then answer normally (if the client is still there). */
  | { type: 'stall'; ms: number }
  /** Answer 200 with a truncated, unparseable JSON body. */
  | { type: 'malformed-body' }
  /** Answer 200 with a well-formed page holding no rows. */
  | { type: 'empty-page' };

/** Which requests a rule applies to; every given field must match. */
export interface HttpFaultMatch {
  /** Exact URL path, or a pattern tested against it. */
  path?: string | RegExp;
  /** Query parameters that must have these values, e.g. `{ series_id: 'SP500' }`. */
  query?: Record<string, string>;
}

/** One injected misbehaviour. */
export type HttpFaultRule = FaultRuleOf<HttpFaultMatch, HttpFaultAction>;

/** A rule once added. */
export type HttpFaultHandle = RuleHandle;

/** Adds and clears fault rules; first matching rule with uses left applies and loses one use. */
export type HttpFaultController = RuleController<HttpFaultRule>;

/** One request as the stand-in saw it. */
export interface HttpRecordedRequest {
  path: string;
  /** Query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** 0 while pending, or when the answer never went out (stall abandoned, socket dropped). */
  status: number;
  /** Wall-clock arrival time. */
  atMs: number;
}

/** What a route sees of one request. */
export interface JsonRouteRequest {
  path: string;
  query: Record<string, string>;
  /** The stand-in's clock. */
  nowMs: number;
  /** True under an `empty-page` fault: answer a valid page with no rows. */
  emptyPage: boolean;
}

/** One answer before it is written. */
export interface JsonReply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** A running JSON stand-in. */
export interface JsonStandIn {
  /** Origin, e.g. `'http://127.0.0.1:43121'`. */
  url: string;
  faults: HttpFaultController;
  /** Every request in arrival order, faulted ones included. */
  requests: HttpRecordedRequest[];
  /** Replaces the clock. */
  setNow(now: () => number): void;
  /** Stops listening and drops open connections, stalled ones included. */
  close(): Promise<void>;
}

/** What a concrete stand-in plugs into the core. */
export interface JsonStandInSpec {
  host?: string;
  port?: number;
  now?: () => number;
  /** Answers a request; undefined means 404. */
  route(request: JsonRouteRequest): JsonReply | undefined;
  /** The API's own body for a `status` fault of this code, if it has one. */
  statusBody?(status: number): JsonReply | undefined;
}

/** The JSON content type the stand-ins answer with. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A JSON answer.
 * @example json(200, { ok: true }).body // '{"ok":true}'
 */
export function json(status: number, payload: unknown): JsonReply {
  return { status, body: JSON.stringify(payload), contentType: JSON_TYPE };
}

/**
 * The HTML page a load balancer or CDN sends for an error status.
 * @example htmlPage(503).contentType // 'text/html'
 */
export function htmlPage(status: number): JsonReply {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return { status, body: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>\n`, contentType: 'text/html' };
}

class HttpFaultRegistry extends RuleRegistry<HttpFaultRule, HttpFaultAction, { path: string; query: Record<string, string> }> {
  constructor() {
    super(matches, validateRule);
  }
}

/**
 * Starts a JSON stand-in on loopback.
 * @example
 * const api = await startJsonStandIn({ route: ({ path }) => (path === '/ping' ? json(200, {}) : undefined) });
 * await api.close();
 */
export async function startJsonStandIn(spec: JsonStandInSpec): Promise<JsonStandIn> {
  const host = spec.host ?? '127.0.0.1';
  const port = spec.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error(`port must be an integer in 0..65535, got ${port}`);
  let now = spec.now ?? Date.now;
  const faults = new HttpFaultRegistry();
  const requests: HttpRecordedRequest[] = [];
  const stalls: StallRegistry = new Map();

  const stall = (ms: number) => stallFor(stalls, ms);

  const statusReply = (action: Extract<HttpFaultAction, { type: 'status' }>): JsonReply => {
    const reply =
      action.body !== undefined
        ? { status: action.status, body: action.body, contentType: /^\s*[[{]/.test(action.body) ? JSON_TYPE : 'text/html' }
        : (spec.statusBody?.(action.status) ?? htmlPage(action.status));
    const headers = action.retryAfterSec !== undefined ? { 'Retry-After': String(action.retryAfterSec) } : undefined;
    return { ...reply, status: action.status, headers: { ...reply.headers, ...headers } };
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const record: HttpRecordedRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, atMs: Date.now() };
    requests.push(record);
    const fault = faults.take({ path: record.path, query: record.query });
    let reply: JsonReply | undefined;
    if (fault?.type === 'outage' && fault.mode === 'socket') {
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'outage') reply = htmlPage(503);
    else if (fault?.type === 'status') reply = statusReply(fault);
    else {
      if (fault?.type === 'stall' && !(await stall(fault.ms))) return;
      const routed = req.method === 'GET' ? spec.route({ path: record.path, query: record.query, nowMs: now(), emptyPage: fault?.type === 'empty-page' }) : undefined;
      reply = routed ?? json(404, { error: `Not found: ${req.method ?? 'GET'} ${record.path}` });
      if (fault?.type === 'malformed-body') {
        reply = { ...reply, status: 200, contentType: JSON_TYPE, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
      }
    }
    if (res.destroyed || res.headersSent) return;
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
    res.end(reply.body);
    record.status = reply.status;
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      console.error('json stand-in: request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('stand-in error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    url: listeningUrl(server, host),
    faults,
    requests,
    setNow: (next) => {
      now = next;
    },
    close: closeOnce(server, stalls),
  };
}

function matches(rule: HttpFaultRule, target: { path: string; query: Record<string, string> }): boolean {
  const when = rule.when;
  if (when === undefined) return true;
  if (when.path !== undefined && !(typeof when.path === 'string' ? when.path === target.path : when.path.test(target.path))) return false;
  return Object.entries(when.query ?? {}).every(([name, value]) => target.query[name] === value);
}

function validateRule(rule: HttpFaultRule): void {
  const action = rule.action;
  if (action.type === 'status') {
    if (!(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)) {
      throw new Error(`fault status must be an HTTP status code, got ${action.status}`);
    }
    if (action.retryAfterSec !== undefined && !(Number.isFinite(action.retryAfterSec) && action.retryAfterSec >= 0)) {
      throw new Error(`retryAfterSec must be a non-negative number, got ${action.retryAfterSec}`);
    }
  }
  if (action.type === 'stall' && !(Number.isFinite(action.ms) && action.ms >= 0)) {
    throw new Error(`stall ms must be a non-negative number, got ${action.ms}`);
  }
}
