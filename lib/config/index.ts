/** Configuration: schema, loader and the default universe. */
export { loadConfig, type LoadConfigOptions } from './load.ts';
export { ConfigSchema, type CandlelakeConfig, type ConfigInput } from './schema.ts';
export { ConfigError } from './errors.ts';
export { DEFAULT_SYMBOLS, DEFAULT_TIMEFRAMES, TIMEFRAMES, type Timeframe } from './universe.ts';
