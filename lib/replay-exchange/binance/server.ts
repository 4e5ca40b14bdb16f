/**
 * The HTTP side of the Binance stand-in (node:http only): one listener serving the spot and
 * USD-M routes on loopback, recording every request and applying weight limits and faults.
 *
 * Order of work for each request, which tests rely on:
 * 1. record it (status 0 until answered);
 * 2. charge its weight to the API's minute budget, or answer 429 (no fault is consumed);
 * 3. take the first matching fault rule: a `status` fault answers now, a `stall` waits first;
 * 4. run the route (row-level faults are applied by the klines route itself);
 * 5. a `malformed-body` fault truncates whatever the route answered, as a 200;
 * 6. send with Binance's content type and the weight headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BinanceApiError, notFound, unknownError } from './errors.ts';
import { FaultRegistry, statusFaultReply, tooManyRequestsReply } from './faults.ts';
import { GapStore } from './gaps.ts';
import type { KlinesFault } from './klines.ts';
import { defaultStandInMarkets, resolveMarkets } from './markets.ts';
import { futuresRoutes } from './routes-futures.ts';
import { futuresDataRoutes } from './routes-futures-data.ts';
import { spotRoutes } from './routes-spot.ts';
import { JSON_CONTENT_TYPE, jsonReply, type HttpReply, type Route, type RouteDeps } from './route.ts';
import type { BinanceStandIn, BinanceStandInOptions, FaultAction, RecordedRequest } from './types.ts';
import { WeightMeter, type WeightBucket } from './weights.ts';
import { closeOnce, listeningUrl, stallFor, type StallRegistry } from '../shared/server-lifecycle.ts';

/** Defaults of every option but `markets`, which is built fresh per server. */
const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  now: Date.now,
  weightLimitPerMinute: 6000,
} as const;

/**
 * Starts a stand-in Binance on loopback; point ccxt's `urls.api` at its `url`.
 * @example
 * const binance = await startBinanceStandIn({ now: () => Date.UTC(2024, 5, 1, 12, 7) });
 * const page = await fetch(`${binance.url}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=3`);
 * await binance.close();
 */
export async function startBinanceStandIn(options: BinanceStandInOptions = {}): Promise<BinanceStandIn> {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  if (!(Number.isInteger(settings.port) && settings.port >= 0 && settings.port <= 65535)) {
    throw new Error(`port must be an integer in 0..65535, got ${settings.port}`);
  }
  const priceModel = options.priceModel ?? 'waves';
  const markets = resolveMarkets(options.markets ?? defaultStandInMarkets(), { priceModel, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  const gaps = new GapStore();
  const faults = new FaultRegistry();
  const meter = new WeightMeter(settings.weightLimitPerMinute);
  const deps: RouteDeps = {
    markets, gaps, weightLimitPerMinute: settings.weightLimitPerMinute,
    ...(priceModel === 'garch' ? { synthetic: `candlelake replay exchange: synthetic GARCH(1,1) market, seed ${options.seed ?? 1}; not real prices` } : {}),
  };
  const routes = new Map<string, Route>([...spotRoutes(deps), ...futuresRoutes(deps), ...futuresDataRoutes(deps)]);
  const requests: RecordedRequest[] = [];
  let now: () => number = settings.now;

  // Pending stalls, so close() can end them instead of leaving timers behind.
  const stalls: StallRegistry = new Map();

  const stall = (ms: number) => stallFor(stalls, ms);

  const answer = async (
    method: string,
    path: string,
    query: Record<string, string>,
    route: Route | undefined,
    bucket: WeightBucket,
  ): Promise<HttpReply | undefined> => {
    if (route !== undefined && !meter.tryConsume(bucket, route.weight(query))) {
      return withHeader(tooManyRequestsReply(meter.limitPerMinute), 'Retry-After', String(meter.secondsToNextMinute()));
    }
    const fault = faults.take({ path, query, servesKlines: route?.servesKlines ?? false });
    if (fault?.type === 'status') {
      return statusFaultReply(fault, {
        weightLimitPerMinute: meter.limitPerMinute,
        secondsToNextMinute: meter.secondsToNextMinute(),
        wallNowMs: Date.now(),
      });
    }
    if (fault?.type === 'stall' && !(await stall(fault.ms))) return undefined;
    const reply = route === undefined ? errorReply(notFound(method, path)) : runRoute(route, query, now(), rowFault(fault), fault?.type === 'empty-page');
    if (fault?.type === 'malformed-body') {
      // Cut mid-document, as a dropped connection behind a proxy would.
      const body = reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2)));
      return { ...reply, status: 200, contentType: JSON_CONTENT_TYPE, body };
    }
    return reply;
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const method = req.method ?? 'GET';
    // Object.fromEntries keeps the last value of a repeated name.
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path: url.pathname, query, status: 0, atMs: Date.now() };
    requests.push(record);
    const route = method === 'GET' ? routes.get(record.path) : undefined;
    // Unknown paths still report the usage of the API they were aimed at.
    const bucket = route?.bucket ?? bucketOfPath(record.path);
    const reply = await answer(method, record.path, record.query, route, bucket);
    // A client that gave up during a stall gets nothing, and its record keeps status 0.
    if (reply === undefined || res.destroyed || res.headersSent) return;
    const used = String(meter.used(bucket));
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': Buffer.byteLength(reply.body),
      'x-mbx-used-weight': used,
      'x-mbx-used-weight-1m': used,
      ...reply.headers,
    });
    res.end(reply.body);
    record.status = reply.status;
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      // Only reachable through a bug in the stand-in; keep the client from hanging on it.
      console.error('binance stand-in: request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': JSON_CONTENT_TYPE });
      res.end(unknownError().body());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    url: listeningUrl(server, settings.host),
    faults,
    gaps,
    requests,
    setNow: (next) => {
      now = next;
    },
    close: closeOnce(server, stalls),
  };
}

function runRoute(route: Route, query: Record<string, string>, nowMs: number, fault: KlinesFault | undefined, emptyPage: boolean): HttpReply {
  try {
    return jsonReply(200, route.handle({ query, nowMs, fault: route.servesKlines ? fault : undefined, emptyPage }));
  } catch (error) {
    if (error instanceof BinanceApiError) return errorReply(error);
    throw error;
  }
}

function errorReply(error: BinanceApiError): HttpReply {
  return { status: error.status, body: error.body(), contentType: JSON_CONTENT_TYPE };
}

function rowFault(fault: FaultAction | undefined): KlinesFault | undefined {
  return fault?.type === 'malformed-rows' || fault?.type === 'overlap' ? fault : undefined;
}

function withHeader(reply: HttpReply, name: string, value: string): HttpReply {
  return { ...reply, headers: { ...reply.headers, [name]: value } };
}

function bucketOfPath(path: string): WeightBucket {
  return path.startsWith('/fapi/') || path.startsWith('/futures/') ? 'futures' : 'spot';
}

/** Drops explicit `undefined`s so they do not override defaults in a spread. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
