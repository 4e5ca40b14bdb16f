/**
 * The logger shape jobs use. Powertools' Logger satisfies it on Lambda; the CLI and daemon
 * pass a JSON-lines logger. Extra fields go in the second argument, never in the message.
 */
export interface JobLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
