/**
 * Which exchange failures are worth another try, and how long to wait between tries:
 * exponential backoff with jitter, the exchange's Retry-After honoured through the shared budget.
 */
import ccxt from 'ccxt';
import pRetry, { AbortError } from 'p-retry';
import { MalformedResponseError, RateLimitedError, RegionBlockedError } from './errors.ts';
import type { RateBudget } from './rate-budget.ts';

export interface RequestPolicyOptions {
  /** Attempts including the first. */
  maxTries: number;
  /** First backoff; doubles each try, randomised ×1–2 (p-retry's jitter). */
  retryBaseMs: number;
  /** A longer Retry-After fails the request instead of waiting. */
  maxRetryAfterMs: number;
  budget: RateBudget;
  onRetry?: (error: Error, attempt: number) => void;
}

/** True for failures that may pass on their own: network trouble, 5xx, throttling, garbled bodies. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RegionBlockedError) return false;
  if (error instanceof RateLimitedError || error instanceof MalformedResponseError) return true;
  // A host name that does not resolve will not resolve in a few seconds either (EAI_AGAIN might).
  if (error instanceof Error && /ENOTFOUND/.test(error.message)) return false;
  return error instanceof ccxt.NetworkError || error instanceof ccxt.BadResponse;
}

/**
 * Runs `request` under the retry policy.
 * @example const rows = await withRetries(() => client.fetchOHLCV('BTC/USDT', '1h', since, 1000), policy);
 */
export async function withRetries<T>(request: () => Promise<T>, options: RequestPolicyOptions): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await request();
      } catch (error) {
        if (!isTransient(error)) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: options.maxTries - 1,
      factor: 2,
      minTimeout: options.retryBaseMs,
      maxTimeout: options.retryBaseMs * 32,
      randomize: true,
      onFailedAttempt: (error) => {
        if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
          if (error.retryAfterMs > options.maxRetryAfterMs) throw error;
          // Every request of this client waits, not only this one: Binance escalates 429s into 418 bans.
          options.budget.coolDown(error.retryAfterMs);
        }
        if (error.retriesLeft > 0) options.onRetry?.(error, error.attemptNumber);
      },
    },
  );
}
