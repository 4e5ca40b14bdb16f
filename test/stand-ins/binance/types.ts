/** Re-export: the Binance stand-in's types live in lib/replay-exchange/binance/types.ts. */
export type * from '../../../lib/replay-exchange/binance/types.ts';
