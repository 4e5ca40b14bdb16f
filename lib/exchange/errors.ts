/**
 * Exchange failures candlelake treats differently from ccxt's generic ones: each says what
 * happened in words a person on call can act on.
 */

/** HTTP 429 or 418: the exchange wants us to back off for `retryAfterMs`. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(readonly status: 429 | 418, readonly retryAfterMs: number | undefined, url: string) {
    super(
      status === 418
        ? `exchange banned this IP for ${formatWait(retryAfterMs)} (HTTP 418) at ${redactQuery(url)}`
        : `exchange rate limit hit (HTTP 429), retry after ${formatWait(retryAfterMs)} at ${redactQuery(url)}`,
    );
  }
}

/** HTTP 451: Binance refuses this region (US cloud addresses among them). Never retried. */
export class RegionBlockedError extends Error {
  override readonly name = 'RegionBlockedError';
  constructor(readonly baseUrl: string) {
    super(
      `Binance refused this machine's region (HTTP 451 from ${baseUrl}): run from an allowed region or set ` +
        'CANDLELAKE_BINANCE_URL to a reachable proxy or mirror',
    );
  }
}

/** A 200 whose body is not the JSON the endpoint promises (proxy pages, truncation). */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(url: string, readonly bodyStart: string) {
    super(`malformed response body from ${redactQuery(url)}: ${JSON.stringify(bodyStart.slice(0, 60))}`);
  }
}

/** The exchange could not be reached at all (DNS, refused connection, timeouts on every try). */
export class ExchangeUnreachableError extends Error {
  override readonly name = 'ExchangeUnreachableError';
  constructor(readonly baseUrl: string, cause: string) {
    super(
      `Cannot reach Binance at ${baseUrl} (${cause}). ` +
        'Set CANDLELAKE_BINANCE_URL=http://host:port to use another base URL (a proxy, a mirror, or the offline stand-in).',
    );
  }
}

function formatWait(ms: number | undefined): string {
  return ms === undefined ? 'an unspecified time' : `${Math.ceil(ms / 1000)} s`;
}

/** Query strings can carry signatures or keys on private endpoints: keep them out of messages. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}
