/**
 * The dashboard over HTTP: `GET /` is the page, `GET /status.json` the model behind it. The lake
 * is read again for a request once the previous reading is `cacheMs` old; requests arriving
 * while a reading is under way share it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboardGather } from './gather.ts';
import { dashboardRenderHtml } from './render.ts';
import type { DashboardModel, DashboardServer, DashboardServerOptions } from './types.ts';

/** Defaults of {@link startDashboardServer}, merged with the caller's options. */
export const DASHBOARD_SERVER_DEFAULTS = { port: 8787, host: '127.0.0.1', cacheMs: 5_000 } as const;

/** One reading of the lake, reused for `cacheMs`. */
function cachedModel(options: DashboardServerOptions, cacheMs: number): () => Promise<DashboardModel> {
  let current: { atMs: number; model: Promise<DashboardModel> } | undefined;
  return () => {
    const nowMs = Date.now();
    if (!current || nowMs - current.atMs >= cacheMs) {
      const model = dashboardGather(options);
      current = { atMs: nowMs, model };
      // A failed reading is not kept: the next request tries again.
      model.catch(() => {
        if (current?.model === model) current = undefined;
      });
    }
    return current.model;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts serving the dashboard; resolves once it listens.
 * @example
 * const server = await startDashboardServer({ store, config, clock: systemClock, logger, port: 8787 });
 * console.log(server.url); // http://127.0.0.1:8787/
 * await server.close();
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { port, host, cacheMs } = { ...DASHBOARD_SERVER_DEFAULTS, ...definedOnly(options) };
  const { logger } = options;
  const model = cachedModel(options, cacheMs);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head);
      return;
    }
    if (path !== '/' && path !== '/index.html' && path !== '/status.json') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
      return;
    }
    try {
      const current = await model();
      if (path === '/status.json') send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(current, null, 1)}\n`, head);
      else send(res, 200, 'text/html; charset=utf-8', dashboardRenderHtml(current, options.render), head);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error('dashboard: request failed', { path, error: message });
      send(res, 500, 'text/plain; charset=utf-8', `could not read the lake: ${message}\n`, head);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('dashboard: response failed', { error: String(error) });
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}/`;
  logger.info('dashboard: serving', { url, lake: options.store.url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The options the caller set (an explicit `undefined` keeps the default). */
function definedOnly(options: DashboardServerOptions): Partial<typeof DASHBOARD_SERVER_DEFAULTS> {
  return Object.fromEntries(
    (['port', 'host', 'cacheMs'] as const).filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
  ) as Partial<typeof DASHBOARD_SERVER_DEFAULTS>;
}
