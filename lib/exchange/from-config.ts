/** Builds the configured exchange adapter. */
import type { CandlelakeConfig } from '../config/schema.ts';
import { createBinanceExchange } from './binance.ts';
import type { CandleExchange } from './types.ts';

/**
 * @example const exchange = exchangeFromConfig(loadConfig({ env: process.env }).exchange);
 */
export function exchangeFromConfig(
  exchange: CandlelakeConfig['exchange'],
  hooks: { onRetry?: (error: Error, attempt: number) => void } = {},
): CandleExchange {
  return createBinanceExchange({ ...exchange, ...hooks });
}
