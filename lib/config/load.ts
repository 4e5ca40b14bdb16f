/**
 * Loads the configuration: defaults, then a JSON file, then `CANDLELAKE_*` environment
 * variables, then explicit overrides (CLI flags), later ones winning. Validation happens once,
 * on the merged result, and fails with a {@link ConfigError} naming the field and its source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { ConfigSchema, type CandlelakeConfig, type ConfigInput } from './schema.ts';

export interface LoadConfigOptions {
  /** Path of a JSON config file; when absent, `CANDLELAKE_CONFIG` or `./candlelake.config.json` if it exists. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Highest precedence, e.g. from CLI flags. */
  overrides?: ConfigInput;
  /** Where override fields came from, by dotted path (e.g. `{ 'universe.timeframes': '--timeframes' }`), for error messages. */
  overrideSources?: Record<string, string>;
}

/** Which environment variable sets which field: also used to name the source in errors. */
const ENV_FIELDS: ReadonlyArray<{ name: string; path: string[]; parse: (raw: string) => unknown }> = [
  { name: 'CANDLELAKE_LAKE', path: ['lake'], parse: (s) => s },
  { name: 'CANDLELAKE_CACHE_DIR', path: ['cacheDir'], parse: (s) => s },
  { name: 'CANDLELAKE_BINANCE_URL', path: ['exchange', 'baseUrl'], parse: (s) => s },
  { name: 'CANDLELAKE_TIMEOUT_MS', path: ['exchange', 'timeoutMs'], parse: Number },
  { name: 'CANDLELAKE_RATE_LIMIT_SHARE', path: ['exchange', 'rateLimitShare'], parse: Number },
  { name: 'CANDLELAKE_SYMBOLS', path: ['universe', 'symbols'], parse: splitList },
  { name: 'CANDLELAKE_TIMEFRAMES', path: ['universe', 'timeframes'], parse: splitList },
  { name: 'CANDLELAKE_BACKTEST_HEARTBEAT_MS', path: ['backtest', 'heartbeatMs'], parse: Number },
  { name: 'CANDLELAKE_BACKTEST_WORKERS', path: ['backtest', 'workers'], parse: Number },
  { name: 'CANDLELAKE_BACKUP', path: ['backup', 'url'], parse: (s) => s },
  { name: 'CANDLELAKE_BACKUP_KEEP', path: ['backup', 'keep'], parse: Number },
  { name: 'CANDLELAKE_FEAR_GREED_URL', path: ['sentiment', 'fearGreedUrl'], parse: (s) => s },
  { name: 'CANDLELAKE_FRED_URL', path: ['sentiment', 'fredUrl'], parse: (s) => s },
  { name: 'CANDLELAKE_FRED_SERIES', path: ['sentiment', 'fredSeries'], parse: splitList },
];

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(target: Tree, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

/** Deep merge of plain objects; arrays and scalars from `top` replace those in `base`. */
function merge(base: Tree, top: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    out[key] = isTree(value) && isTree(out[key]) ? merge(out[key] as Tree, value) : value;
  }
  return out;
}

function readFileLayer(file: string | undefined, env: Record<string, string | undefined>): { layer: Tree; source?: string } {
  const explicit = file ?? env.CANDLELAKE_CONFIG;
  const path = explicit ?? (existsSync('candlelake.config.json') ? 'candlelake.config.json' : undefined);
  if (!path) return { layer: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isTree(parsed)) throw new Error('top level must be an object');
    return { layer: parsed, source: path };
  } catch (error) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue, sources: Map<string, string>, fileSource?: string): { field: string; text: string } {
  const field = issue.path.map(String).join('.') || '(root)';
  const envSource = [...sources.entries()].find(([path]) => field === path || field.startsWith(`${path}.`))?.[1];
  const from = envSource ? ` (from ${envSource})` : fileSource ? ` (from ${fileSource} or a flag)` : '';
  return { field, text: `${field}: ${issue.message}${from}` };
}

/**
 * Builds the validated configuration.
 * @example
 * const config = loadConfig({ env: process.env, overrides: { universe: { timeframes: ['1h'] } } });
 * config.exchange.rateLimitShare // 0.2
 */
export function loadConfig(options: LoadConfigOptions = {}): CandlelakeConfig {
  const env = options.env ?? {};
  const { layer: fileLayer, source: fileSource } = readFileLayer(options.file, env);
  const envLayer: Tree = {};
  const envSources = new Map<string, string>();
  for (const field of ENV_FIELDS) {
    const raw = env[field.name];
    if (raw === undefined || raw === '') continue;
    setPath(envLayer, field.path, field.parse(raw));
    envSources.set(field.path.join('.'), field.name);
  }
  for (const [path, source] of Object.entries(options.overrideSources ?? {})) envSources.set(path, source);
  const merged = merge(merge(fileLayer, envLayer), (options.overrides ?? {}) as Tree);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => describeIssue(issue, envSources, fileSource));
    throw new ConfigError(`Invalid configuration: ${issues.map((i) => i.text).join('; ')}`, issues.map((i) => i.field));
  }
  return result.data;
}
