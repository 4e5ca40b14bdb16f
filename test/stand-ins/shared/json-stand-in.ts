/** Re-export: the JSON stand-in core lives in lib/replay-exchange/shared/json-stand-in.ts (FRED and Telegram still import it from here). */
export * from '../../../lib/replay-exchange/shared/json-stand-in.ts';
