/**
 * Builds the sentiment job's ports from configuration: the same for the CLI, the Lambda and the
 * daemon. Base URLs come from the configuration (the stand-ins in tests); the FRED key from the
 * environment (SSM on AWS), and without it there is no macro source.
 */
import type { Clock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import type { JobLogger } from '../logging/types.ts';
import { openObjectStore } from '../object-store/index.ts';
import type { SentimentDeps } from './index.ts';
import { createBinanceDerivativesSource } from './sources/binance-derivatives.ts';
import { createFearGreedSource } from './sources/fear-greed.ts';
import { createFredSource } from './sources/fred.ts';

/**
 * @example const deps = createSentimentDeps(config, logger, systemClock, process.env.FRED_API_KEY);
 */
export function createSentimentDeps(config: CandlelakeConfig, logger: JobLogger, clock: Clock, fredApiKey?: string): SentimentDeps {
  const onRetry = (source: string) => (error: Error, attempt: number) => logger.warn(`${source} request retried`, { attempt, reason: error.message });
  const now = () => clock.nowMs();
  const http = {
    timeoutMs: config.sentiment.timeoutMs,
    maxTries: config.exchange.maxTries,
    retryBaseMs: config.exchange.retryBaseMs,
    maxRetryAfterMs: config.exchange.maxRetryAfterMs,
  };
  const key = fredApiKey?.trim();
  return {
    store: openObjectStore(config.lake),
    clock,
    logger,
    config,
    fearGreed: createFearGreedSource({ ...http, baseUrl: config.sentiment.fearGreedUrl, now, onRetry: onRetry('alternative.me') }),
    derivatives: createBinanceDerivativesSource({
      ...http, timeoutMs: config.exchange.timeoutMs, now, onRetry: onRetry('binance-usdm'),
      ...(config.exchange.baseUrl ? { baseUrl: config.exchange.baseUrl } : {}),
    }),
    ...(key ? { macro: createFredSource({ ...http, apiKey: key, baseUrl: config.sentiment.fredUrl, onRetry: onRetry('fred') }) } : {}),
  };
}
