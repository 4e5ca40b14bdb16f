/** Re-export: the Binance stand-in's markets live in lib/replay-exchange/binance/markets.ts. */
export * from '../../../lib/replay-exchange/binance/markets.ts';
