/**
 * Wires the update job's ports from configuration: the lake named by `config.lake`, the
 * exchange from `config.exchange`, the system clock. Shared by the Lambda handler, the CLI
 * and the daemon so the three doors run the same job the same way.
 */
import { systemClock } from '../clock/index.ts';
import type { CandlelakeConfig } from '../config/schema.ts';
import { exchangeFromConfig } from '../exchange/from-config.ts';
import type { JobLogger } from '../logging/types.ts';
import { openObjectStore } from '../object-store/index.ts';
import type { UpdateDeps } from './types.ts';

/**
 * @example const deps = createUpdateDeps(loadConfig({ env: process.env }), logger);
 */
export function createUpdateDeps(config: CandlelakeConfig, logger: JobLogger, extra: Partial<UpdateDeps> = {}): UpdateDeps {
  return {
    store: openObjectStore(config.lake),
    exchange: exchangeFromConfig(config.exchange, {
      onRetry: (error, attempt) => logger.warn('exchange request retried', { attempt, reason: error.message }),
    }),
    clock: systemClock,
    logger,
    config,
    ...extra,
  };
}
