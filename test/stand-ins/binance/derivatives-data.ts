/** Re-export: the Binance stand-in's derivatives data live in lib/replay-exchange/binance/derivatives-data.ts. */
export * from '../../../lib/replay-exchange/binance/derivatives-data.ts';
