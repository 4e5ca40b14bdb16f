/**
 * What every subcommand shares: the global flags turned into validated configuration, a
 * logger, and one way to print results (`--json` or text) and to end with the right exit code.
 */
import type { Command } from 'commander';
import { ConfigError } from '../config/errors.ts';
import { loadConfig } from '../config/load.ts';
import type { CandlelakeConfig, ConfigInput } from '../config/schema.ts';
import { createConsoleLogger, type LogLevel } from '../logging/console-logger.ts';
import type { JobLogger } from '../logging/types.ts';
import { EXIT } from './exit-codes.ts';

export interface GlobalOptions {
  lake?: string;
  config?: string;
  binanceUrl?: string;
  json?: boolean;
  logLevel?: LogLevel;
}

export interface CliContext {
  config: CandlelakeConfig;
  logger: JobLogger;
  json: boolean;
  /** Prints a result: the object as JSON with `--json`, else the text. */
  print(result: unknown, text: string): void;
}

/** Builds the context for a subcommand; `overrides` are that subcommand's own flags. */
export function cliContext(
  command: Command,
  overrides: ConfigInput = {},
  options: { quietLogs?: boolean; overrideSources?: Record<string, string> } = {},
): CliContext {
  const global = command.optsWithGlobals<GlobalOptions>();
  const fromFlags: ConfigInput = {
    ...(global.lake ? { lake: global.lake } : {}),
    ...(global.binanceUrl ? { exchange: { baseUrl: global.binanceUrl } } : {}),
  };
  const config = loadConfig({
    ...(global.config ? { file: global.config } : {}),
    env: process.env,
    overrides: mergeInputs(fromFlags, overrides),
    overrideSources: {
      ...(global.lake ? { lake: '--lake' } : {}),
      ...(global.binanceUrl ? { 'exchange.baseUrl': '--binance-url' } : {}),
      ...options.overrideSources,
    },
  });
  const level = global.logLevel ?? (process.env.CANDLELAKE_LOG_LEVEL as LogLevel | undefined) ?? (options.quietLogs ? 'warn' : 'info');
  const json = Boolean(global.json);
  return {
    config,
    logger: createConsoleLogger({ level }),
    json,
    print(result, text) {
      process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
    },
  };
}

function mergeInputs(a: ConfigInput, b: ConfigInput): ConfigInput {
  return {
    ...a,
    ...b,
    exchange: { ...a.exchange, ...b.exchange },
    universe: { ...a.universe, ...b.universe },
    update: { ...a.update, ...b.update },
  };
}

/** Comma-separated flag values. */
export function splitFlagList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Wraps a subcommand action: configuration errors print one line and exit 2, other errors one
 * line and exit 1 (the stack only with `--log-level debug`).
 */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await run(...args);
    } catch (error) {
      // One line: DuckDB and SDK messages can span several.
      const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
      process.stderr.write(`candlelake: ${message}\n`);
      if (process.env.CANDLELAKE_LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof ConfigError ? EXIT.config : EXIT.failed;
    }
  };
}
