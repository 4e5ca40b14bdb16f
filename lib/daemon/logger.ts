/**
 * The daemon's logger: JSON lines on stdout (readable lines on a terminal) and JSON lines in a
 * rotating file, through the CLI's console logger.
 */
import { createConsoleLogger, type LogLevel } from '../logging/console-logger.ts';
import type { JobLogger } from '../logging/types.ts';
import type { RotatingFile } from './rotating-file.ts';

export interface DaemonLoggerOptions {
  level?: LogLevel;
  /** The rotating log file, if any (always JSON). */
  file?: RotatingFile;
  /** Readable lines on stdout instead of JSON (default: whether stdout is a terminal). */
  pretty?: boolean;
  /** Where stdout lines go (default process.stdout). */
  writeStdout?: (line: string) => void;
}

/**
 * @example const logger = createDaemonLogger({ level: 'info', file: openRotatingFile('.candlelake/logs/daemon.log') });
 */
export function createDaemonLogger(options: DaemonLoggerOptions = {}): JobLogger {
  const level = options.level ?? 'info';
  const stdout = createConsoleLogger({
    level,
    pretty: options.pretty ?? Boolean(process.stdout.isTTY),
    write: options.writeStdout ?? ((line) => process.stdout.write(`${line}\n`)),
  });
  const file = options.file;
  if (!file) return stdout;
  const json = createConsoleLogger({ level, pretty: false, write: (line) => file.write(line) });
  return {
    debug: (m, f) => (stdout.debug(m, f), json.debug(m, f)),
    info: (m, f) => (stdout.info(m, f), json.info(m, f)),
    warn: (m, f) => (stdout.warn(m, f), json.warn(m, f)),
    error: (m, f) => (stdout.error(m, f), json.error(m, f)),
  };
}

/**
 * A logger that adds `fields` to every line.
 * @example withFields(logger, { job: 'update' }).info('started');
 */
export function withFields(logger: JobLogger, fields: Record<string, unknown>): JobLogger {
  return {
    debug: (m, f) => logger.debug(m, { ...fields, ...f }),
    info: (m, f) => logger.info(m, { ...fields, ...f }),
    warn: (m, f) => logger.warn(m, { ...fields, ...f }),
    error: (m, f) => logger.error(m, { ...fields, ...f }),
  };
}
