/**
 * The ways a sentiment source fails, typed so the job can tell "try again next run" from "fix
 * the configuration": the source name travels with every error, secrets never do.
 */

/** A source could not be reached or kept failing (network, timeouts, 429, 5xx) after every try. */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source} unavailable: ${detail}`, options);
  }
}

/** A 2xx answer whose body is not the document the API promises (truncation, a proxy page, a changed schema). Not retried. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(
    readonly source: string,
    /** The request URL with secrets redacted. */
    readonly url: string,
    readonly reason: string,
    /** The first characters of the body. */
    readonly bodyStart: string,
  ) {
    super(`${source}: malformed response from ${url}: ${reason}: ${JSON.stringify(bodyStart.slice(0, 80))}`);
  }
}

/** The source refused the request in a way another try will not fix (bad key, unknown series, bad parameter). */
export class SourceRejectedError extends Error {
  override readonly name = 'SourceRejectedError';
  constructor(
    readonly source: string,
    /** HTTP status, or 200 when the API reports errors inside a 200 body. */
    readonly status: number,
    /** The API's own explanation, secrets redacted. */
    readonly detail: string,
    /** The request URL with secrets redacted, when known (ccxt does not say). */
    readonly url?: string,
  ) {
    super(`${source} rejected the request (HTTP ${status})${url === undefined ? '' : ` at ${url}`}: ${detail}`);
  }
}

/** One failed attempt that may pass on its own: a 429 (with its Retry-After), a 5xx, a timeout or a network error. */
export class TransientSourceError extends Error {
  override readonly name = 'TransientSourceError';
  constructor(
    readonly source: string,
    message: string,
    /** HTTP status, undefined for network errors and timeouts. */
    readonly status?: number,
    /** How long the source asked us to wait (429 Retry-After). */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Query parameters whose values are credentials. */
const SECRET_PARAMS = /([?&](?:api_key|apikey|key|token|signature)=)[^&#\s]*/gi;

/**
 * Removes credentials from a URL or any text holding one: known secret query parameters, and every given secret value.
 * @example redact('https://api.stlouisfed.org/fred/series/observations?series_id=SP500&api_key=abc', ['abc'])
 * // 'https://api.stlouisfed.org/fred/series/observations?series_id=SP500&api_key=***'
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(SECRET_PARAMS, '$1***');
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}
