/**
 * What every loopback server of the replay exchange shares at its edges: the URL it is reached at,
 * and a close that does not hang on stalled responses or keep-alive sockets.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stalled responses waiting on a timer; `finish(false)` ends one without answering. */
export type StallRegistry = Map<NodeJS.Timeout, (finished: boolean) => void>;

/**
 * Holds a response for `ms`: resolves true when the time is up, false when `closeOnce` ends the
 * stall first (the response is then dropped, not sent).
 * @example if (!(await stallFor(stalls, 2_000))) return undefined;
 */
export function stallFor(stalls: StallRegistry, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      stalls.delete(timer);
      resolve(true);
    }, ms);
    stalls.set(timer, resolve);
  });
}

/**
 * The `http://host:port` of a listening server (IPv6 hosts bracketed).
 * @example listeningUrl(server, '127.0.0.1') // 'http://127.0.0.1:40123'
 */
export function listeningUrl(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Closes the server once (later calls get the same promise): stalled responses are dropped first,
 * then keep-alive and stalled sockets, which would otherwise hold `close()` open.
 */
export function closeOnce(server: Server, stalls: StallRegistry): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      for (const [timer, finish] of stalls) {
        clearTimeout(timer);
        finish(false);
      }
      stalls.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  };
}
