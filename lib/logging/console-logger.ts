/**
 * The logger of the CLI and the daemon: JSON lines on stderr (stdout stays free for `--json`
 * results), or short readable lines when stderr is a terminal.
 */
import type { JobLogger } from './types.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  /** Readable lines instead of JSON; defaults to whether stderr is a TTY. */
  pretty?: boolean;
  /** Fields added to every line (e.g. the run id). */
  fields?: Record<string, unknown>;
  write?: (line: string) => void;
}

/**
 * @example const logger = createConsoleLogger({ level: 'info', fields: { job: 'update' } });
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): JobLogger {
  const threshold = RANK[options.level ?? 'info'];
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < threshold) return;
    const all = { ...options.fields, ...fields };
    if (pretty) {
      const extras = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      write(`${level.toUpperCase().padEnd(5)} ${message}${extras.length ? `  ${extras.join(' ')}` : ''}`);
    } else {
      write(JSON.stringify({ level: level.toUpperCase(), timestamp: new Date().toISOString(), message, ...all }));
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
