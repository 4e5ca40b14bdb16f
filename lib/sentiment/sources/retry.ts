/**
 * The retry policy every sentiment source shares: transient failures (429, 5xx, timeouts,
 * network errors) are tried again with jittered exponential backoff, a 429's Retry-After is
 * waited out first (up to a bound), everything else fails at once. Exhausted retries become a
 * SourceUnavailableError that names the source and keeps the last failure as its cause.
 */
import pRetry, { AbortError } from 'p-retry';
import { SourceUnavailableError, TransientSourceError } from './errors.ts';

/** How hard a source tries. */
export interface RetrySettings {
  /** Attempts including the first. */
  maxTries: number;
  /** First backoff; doubles each try, randomised ×1–2. */
  retryBaseMs: number;
  /** A 429 asking for a longer wait fails the request instead of waiting. */
  maxRetryAfterMs: number;
  /** Waits out a Retry-After; injectable for tests. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each new try, e.g. to log; the error carries no secrets. */
  onRetry?: (error: Error, attempt: number) => void;
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` under the retry policy.
 * @example const body = await withSourceRetries('fred', () => fetchOnce(url), { maxTries: 4, retryBaseMs: 500, maxRetryAfterMs: 60_000 });
 */
export async function withSourceRetries<T>(source: string, attempt: () => Promise<T>, settings: RetrySettings): Promise<T> {
  const sleep = settings.sleep ?? timerSleep;
  try {
    return await pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          if (error instanceof TransientSourceError) throw error;
          throw new AbortError(error instanceof Error ? error : new Error(String(error)));
        }
      },
      {
        retries: Math.max(0, settings.maxTries - 1),
        factor: 2,
        minTimeout: settings.retryBaseMs,
        maxTimeout: settings.retryBaseMs * 32,
        randomize: true,
        onFailedAttempt: async (error) => {
          if (error.retriesLeft === 0) return;
          if (error instanceof TransientSourceError && error.retryAfterMs !== undefined) {
            if (error.retryAfterMs > settings.maxRetryAfterMs) {
              throw new SourceUnavailableError(
                source,
                `asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s, more than the ${Math.ceil(settings.maxRetryAfterMs / 1000)} s allowed (${error.message})`,
                { cause: error },
              );
            }
            await sleep(error.retryAfterMs);
          }
          settings.onRetry?.(error, error.attemptNumber);
        },
      },
    );
  } catch (error) {
    if (error instanceof TransientSourceError) {
      throw new SourceUnavailableError(source, `${error.message} (after ${settings.maxTries} tries)`, { cause: error });
    }
    throw error;
  }
}
