/** The Binance stand-in now lives in lib/replay-exchange/binance (the demo ships it); tests keep importing it from here. */
export * from '../../../lib/replay-exchange/binance/index.ts';
