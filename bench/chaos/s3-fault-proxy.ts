/**
 * A fault-injecting HTTP proxy in front of an S3 endpoint (moto): the real AWS SDK talks to it
 * with path-style addressing, it forwards to the target and, when a rule matches, answers S3's
 * own error instead (500 InternalError, 503 SlowDown), drops the connection (before forwarding,
 * after the write was applied but before the answer, or halfway through the body), or holds the
 * request forever so a test can kill the client while its write is in flight.
 *
 * Rules fire by request count (`nth`, `every`) or by rate (`rate`, from a seeded generator so a
 * run is repeatable); every injection is counted and logged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** S3 error codes the proxy can answer with, and their HTTP status and message as S3 sends them. */
export const S3_ERRORS = {
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
} as const;

export type S3ErrorCode = keyof typeof S3_ERRORS;

export type S3FaultAction =
  /** S3's XML error with its status and headers; the request never reaches the target. */
  | { type: 'error'; code: S3ErrorCode }
  /** The socket is destroyed once the request is read; the target never sees it. */
  | { type: 'reset' }
  /** Forwarded (a write is applied), then the socket is destroyed before any answer. */
  | { type: 'lose-response' }
  /** Forwarded; status, headers and half the body are sent, then the socket is destroyed. Only bodies of 2+ bytes can be cut. */
  | { type: 'truncate-body' }
  /** Never answered, never forwarded: the client stays blocked (its write in flight) until it dies or the proxy closes. */
  | { type: 'hang' };

export type S3FaultKind = S3ErrorCode | Exclude<S3FaultAction['type'], 'error'>;

/** What a request looked like to the rules. */
export interface S3RequestInfo {
  method: string;
  /** Decoded path without the query: `/bucket/key`. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

export interface S3FaultRule {
  /** Shown in the log; defaults to the fault kind. */
  name?: string;
  when?: { method?: string | string[]; path?: RegExp; header?: string };
  /** Fire on these matching requests (1-based count of requests this rule matched). */
  nth?: number[];
  /** Fire on every k-th matching request. */
  every?: number;
  /** Fire with this probability (seeded; see {@link S3FaultProxyOptions.seed}). */
  rate?: number;
  /** At most this many injections. Default unlimited. */
  times?: number;
  action: S3FaultAction;
  /** Called when the rule fires, before the fault is applied (e.g. to SIGKILL the client of a held write). */
  onInject?: (request: S3RequestInfo) => void;
}

export interface InjectedFault {
  rule: string;
  kind: S3FaultKind;
  method: string;
  path: string;
  atMs: number;
}

export interface S3FaultHandle {
  /** Injections so far. */
  injected(): number;
  remove(): void;
}

export interface S3FaultProxy {
  /** Endpoint to give the S3 client (`AWS_ENDPOINT_URL`), e.g. `http://127.0.0.1:40123`. */
  url: string;
  add(rule: S3FaultRule): S3FaultHandle;
  clear(): void;
  /** Every request in arrival order. */
  requests: Array<S3RequestInfo & { atMs: number; fault?: S3FaultKind }>;
  /** Every injection in order. */
  injected: InjectedFault[];
  /** Injections by kind. */
  counts(): Partial<Record<S3FaultKind, number>>;
  close(): Promise<void>;
}

export interface S3FaultProxyOptions {
  /** Where requests are forwarded, e.g. moto's `http://127.0.0.1:5000`. */
  target: string;
  /** Seed of the generator behind `rate` rules. Default 1. */
  seed?: number;
}

interface LiveRule {
  rule: S3FaultRule;
  matched: number;
  fired: number;
}

/**
 * Starts the proxy on a free loopback port.
 * @example
 * const proxy = await startS3FaultProxy({ target: motoEndpoint });
 * proxy.add({ every: 3, action: { type: 'error', code: 'SlowDown' } });
 * const s3 = createS3Client({ AWS_ENDPOINT_URL: proxy.url });
 */
export async function startS3FaultProxy(options: S3FaultProxyOptions): Promise<S3FaultProxy> {
  const target = new URL(options.target);
  const random = mulberry32(options.seed ?? 1);
  let rules: LiveRule[] = [];
  const requests: S3FaultProxy['requests'] = [];
  const injected: InjectedFault[] = [];
  const sockets = new Set<Socket>();

  const pick = (info: S3RequestInfo): LiveRule | undefined => {
    for (const live of rules) {
      const { rule } = live;
      if (!matches(rule, info)) continue;
      if (rule.times !== undefined && live.fired >= rule.times) continue;
      live.matched += 1;
      const fire =
        (rule.nth?.includes(live.matched) ?? false) ||
        (rule.every !== undefined && live.matched % rule.every === 0) ||
        (rule.rate !== undefined && random() < rule.rate) ||
        (rule.nth === undefined && rule.every === undefined && rule.rate === undefined);
      if (fire) return live;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const info: S3RequestInfo = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.search, headers: req.headers };
    const live = pick(info);
    const entry: (typeof requests)[number] = { ...info, atMs: Date.now() };
    requests.push(entry);
    if (live === undefined) {
      forward(req, res, target);
      return;
    }
    live.fired += 1;
    const kind: S3FaultKind = live.rule.action.type === 'error' ? live.rule.action.code : live.rule.action.type;
    entry.fault = kind;
    injected.push({ rule: live.rule.name ?? kind, kind, method: info.method, path: info.path, atMs: entry.atMs });
    live.rule.onInject?.(info);
    applyFault(live.rule.action, req, res, target, info);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the S3 fault proxy has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    injected,
    add(rule) {
      const live: LiveRule = { rule, matched: 0, fired: 0 };
      rules.push(live);
      return {
        injected: () => live.fired,
        remove: () => {
          rules = rules.filter((r) => r !== live);
        },
      };
    },
    clear() {
      rules = [];
    },
    counts() {
      const counts: Partial<Record<S3FaultKind, number>> = {};
      for (const i of injected) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
      return counts;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matches(rule: S3FaultRule, info: S3RequestInfo): boolean {
  const when = rule.when;
  if (when === undefined) return true;
  if (when.method !== undefined) {
    const methods = Array.isArray(when.method) ? when.method : [when.method];
    if (!methods.includes(info.method)) return false;
  }
  if (when.path !== undefined && !when.path.test(info.path)) return false;
  if (when.header !== undefined && info.headers[when.header.toLowerCase()] === undefined) return false;
  return true;
}

function applyFault(action: S3FaultAction, req: IncomingMessage, res: ServerResponse, target: URL, info: S3RequestInfo): void {
  switch (action.type) {
    case 'error':
      // The body must be read first: answering while the client still uploads makes it see EPIPE, not S3's error.
      drain(req, () => sendS3Error(res, action.code, info));
      return;
    case 'reset':
      drain(req, () => req.socket.destroy());
      return;
    case 'hang':
      req.resume();
      return;
    case 'lose-response':
      forwardThen(req, target, (upstream) => {
        upstream.resume();
        req.socket.destroy();
      });
      return;
    case 'truncate-body':
      forwardThen(req, target, (upstream) => {
        const chunks: Buffer[] = [];
        upstream.on('data', (c: Buffer) => chunks.push(c));
        upstream.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...upstream.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(upstream.statusCode ?? 502, headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          // Let the half body reach the client before the connection dies, as a dropped TCP stream would.
          setTimeout(() => req.socket.destroy(), 10);
        });
      });
      return;
  }
}

/** S3's error document and headers, the way the SDK's deserializer and retry strategy expect them. */
export function s3ErrorBody(code: S3ErrorCode, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${S3_ERRORS[code].message}</Message><Resource>${escapeXml(resource)}</Resource>` +
    `<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}

function sendS3Error(res: ServerResponse, code: S3ErrorCode, info: S3RequestInfo): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body = s3ErrorBody(code, info.path, requestId);
  res.writeHead(S3_ERRORS[code].status, {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    'x-amz-id-2': randomBytes(24).toString('base64'),
    date: new Date().toUTCString(),
    // A HEAD answer carries no body; S3 then sends only the status, which the SDK maps by code.
    'content-length': info.method === 'HEAD' ? '0' : String(Buffer.byteLength(body)),
  });
  res.end(info.method === 'HEAD' ? undefined : body);
}

function drain(req: IncomingMessage, then: () => void): void {
  req.on('end', then);
  req.on('error', () => {});
  req.resume();
}

function upstreamOptions(req: IncomingMessage, target: URL) {
  return { host: target.hostname, port: Number(target.port), method: req.method, path: req.url, headers: req.headers };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = httpRequest(upstreamOptions(req, target), (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => req.socket.destroy());
  req.pipe(upstream);
}

function forwardThen(req: IncomingMessage, target: URL, onAnswer: (answer: IncomingMessage) => void): void {
  const upstream = httpRequest(upstreamOptions(req, target), onAnswer);
  upstream.on('error', () => req.socket.destroy());
  req.pipe(upstream);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A small seeded generator: the same seed injects the same faults in the same order of requests. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
