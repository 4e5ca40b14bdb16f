/**
 * GET a JSON document over HTTP for the plain-HTTP sources (alternative.me, FRED): Node's
 * fetch, a timeout per attempt, the shared retry policy, and typed errors whose messages never
 * carry a secret (URLs are redacted, and so is every configured secret value).
 *
 * One attempt: fetch under `AbortSignal.timeout` → 429/408/5xx are transient (Retry-After kept)
 * → other non-2xx are rejections (the API's own message, via `describeError`) → a 2xx body that
 * does not parse, or fails `parse`, is malformed (not retried).
 */
import type { z } from 'zod';
import { MalformedResponseError, redact, SourceRejectedError, TransientSourceError } from './errors.ts';
import { withSourceRetries, type RetrySettings } from './retry.ts';

/** Transport settings every plain-HTTP source takes. */
export interface HttpSettings extends RetrySettings {
  /** Per attempt, body included. */
  timeoutMs: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** Defaults of {@link HttpSettings}, merged with each source's options. */
export const HTTP_DEFAULTS = {
  timeoutMs: 15_000,
  maxTries: 4,
  retryBaseMs: 500,
  maxRetryAfterMs: 60_000,
} as const satisfies HttpSettings;

/** What {@link getJson} needs to know about one source. */
export interface JsonRequest<T> {
  source: string;
  url: string;
  /** Validates and shapes the parsed body; a failure is a MalformedResponseError. */
  schema: z.ZodType<T>;
  /** Values to strip from every message (API keys). */
  secrets?: readonly string[];
  /** The API's own explanation of an error answer, e.g. FRED's `error_message`. */
  describeError?: (body: unknown) => string | undefined;
}

/**
 * Fetches and validates one JSON document under the retry policy.
 * @example
 * const page = await getJson({ source: 'fred', url, schema: pageSchema, secrets: [apiKey] }, { ...HTTP_DEFAULTS });
 */
export async function getJson<T>(request: JsonRequest<T>, settings: HttpSettings): Promise<T> {
  const secrets = request.secrets ?? [];
  const shownUrl = redact(request.url, secrets);
  const doFetch = settings.fetch ?? fetch;

  const attempt = async (): Promise<T> => {
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const response = await doFetch(request.url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      status = response.status;
      headers = response.headers;
      text = await response.text();
    } catch (error) {
      throw new TransientSourceError(request.source, `${describeFetchFailure(error, settings.timeoutMs, secrets)} at ${shownUrl}`, undefined, undefined, {
        cause: error,
      });
    }
    if (status === 429 || status === 408 || status >= 500) {
      const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
      const wait = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
      throw new TransientSourceError(request.source, `HTTP ${status}${wait} at ${shownUrl}`, status, retryAfterMs);
    }
    const body = parseBody(text);
    if (status < 200 || status >= 300) {
      const detail = (body.ok ? request.describeError?.(body.value) : undefined) ?? text.slice(0, 200);
      throw new SourceRejectedError(request.source, status, redact(detail, secrets), shownUrl);
    }
    if (!body.ok) throw new MalformedResponseError(request.source, shownUrl, 'not JSON', redact(text, secrets));
    const parsed = request.schema.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
      throw new MalformedResponseError(request.source, shownUrl, where, redact(text, secrets));
    }
    return parsed.data;
  };

  return withSourceRetries(request.source, attempt, settings);
}

/**
 * A Retry-After header in ms: delay-seconds or an HTTP date; undefined when absent or unreadable.
 * @example parseRetryAfter('2') // 2000
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function describeFetchFailure(error: unknown, timeoutMs: number, secrets: readonly string[]): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return redact(`${error instanceof Error ? error.message : String(error)}${cause}`, secrets);
}

/**
 * Drops explicit `undefined`s so they do not override defaults in a spread.
 * @example ({ ...{ timeoutMs: 15_000 }, ...withoutUndefined({ timeoutMs: undefined }) }) // { timeoutMs: 15000 }
 */
export function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
