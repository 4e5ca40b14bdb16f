/**
 * The default universe: 60 liquid USDT spot pairs on Binance and the four timeframes the
 * desk trades. Config and CLI flags override both lists.
 */

/** Timeframes candlelake stores, in ascending length. */
export const TIMEFRAMES = ['15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const BASES = [
  'BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'DOGE', 'ADA', 'TRX', 'AVAX', 'LINK',
  'DOT', 'LTC', 'BCH', 'NEAR', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'APT',
  'ARB', 'OP', 'INJ', 'SUI', 'SEI', 'TIA', 'HBAR', 'VET', 'ICP', 'AAVE',
  'RENDER', 'GRT', 'ALGO', 'SAND', 'MANA', 'AXS', 'EGLD', 'THETA', 'RUNE', 'CRV',
  'LDO', 'STX', 'IMX', 'PEPE', 'SHIB', 'WIF', 'FET', 'TAO', 'ENA', 'JUP',
  'PYTH', 'WLD', 'ORDI', 'BONK', 'FLOKI', 'GALA', 'CHZ', 'DYDX', 'SNX', 'COMP',
] as const;

/** Unified ccxt symbols (`BASE/QUOTE`) of the default universe. */
export const DEFAULT_SYMBOLS: readonly string[] = BASES.map((base) => `${base}/USDT`);

export const DEFAULT_TIMEFRAMES: readonly Timeframe[] = TIMEFRAMES;
