/** The alternative.me stand-in now lives in lib/replay-exchange/alternative-me; tests keep importing it from here. */
export * from '../../../lib/replay-exchange/alternative-me/index.ts';
