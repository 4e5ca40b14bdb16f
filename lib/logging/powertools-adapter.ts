/** Lets Powertools' Logger (used by every Lambda handler) serve as the jobs' {@link JobLogger}. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobLogger } from './types.ts';

/**
 * @example const jobLogger = fromPowertools(new Logger({ serviceName: 'candlelake-update' }));
 */
export function fromPowertools(logger: Logger): JobLogger {
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
