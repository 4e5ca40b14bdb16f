/**
 * The markets the stand-in lists: the default set (candlelake's universe plus one delisted
 * pair) and the validation that turns caller-given markets into resolved ones.
 */
import { DEFAULT_SYMBOLS } from '../../config/universe.ts';
import { parseDecimalUnit, type DecimalUnit } from './decimals.ts';
import { CandleSeries, type PriceModelName } from './market-data.ts';
import type { StandInMarket } from './types.ts';

/** A market with its defaults filled in and its sizes parsed, ready to serve. */
export interface ResolvedMarket extends Required<Omit<StandInMarket, 'status'>> {
  status: 'TRADING' | 'BREAK';
  tick: DecimalUnit;
  step: DecimalUnit;
  series: CandleSeries;
}

/** Listing time of markets that do not say otherwise. */
export const DEFAULT_LISTED_AT_MS = Date.UTC(2019, 0, 1);

/**
 * Price level, tick size and step size per base asset, close to Binance's spot filters in 2024.
 * Bases not in the table fall back to {@link sizesForPrice}.
 */
const KNOWN_BASES: Readonly<Record<string, readonly [basePrice: number, tickSize: string, stepSize: string]>> = {
  BTC: [60000, '0.01', '0.00001'], ETH: [3000, '0.01', '0.0001'], BNB: [550, '0.01', '0.001'],
  SOL: [150, '0.01', '0.001'], XRP: [0.55, '0.0001', '0.1'], DOGE: [0.12, '0.00001', '1'],
  ADA: [0.45, '0.0001', '0.1'], TRX: [0.12, '0.00001', '0.1'], AVAX: [30, '0.01', '0.01'],
  LINK: [14, '0.01', '0.01'], DOT: [6, '0.001', '0.01'], LTC: [75, '0.01', '0.001'],
  BCH: [400, '0.1', '0.001'], NEAR: [5, '0.001', '0.1'], UNI: [8, '0.001', '0.01'],
  ATOM: [7, '0.001', '0.01'], XLM: [0.1, '0.0001', '1'], ETC: [22, '0.01', '0.01'],
  FIL: [4.5, '0.001', '0.01'], APT: [8, '0.01', '0.01'], ARB: [0.8, '0.0001', '0.1'],
  OP: [1.8, '0.001', '0.01'], INJ: [22, '0.01', '0.01'], SUI: [1.2, '0.0001', '0.1'],
  SEI: [0.4, '0.0001', '0.1'], TIA: [6, '0.001', '0.01'], HBAR: [0.07, '0.00001', '1'],
  VET: [0.025, '0.00001', '0.1'], ICP: [9, '0.001', '0.01'], AAVE: [120, '0.01', '0.001'],
  RENDER: [6, '0.001', '0.01'], GRT: [0.18, '0.0001', '1'], ALGO: [0.15, '0.0001', '1'],
  SAND: [0.3, '0.0001', '1'], MANA: [0.3, '0.0001', '1'], AXS: [6, '0.001', '0.01'],
  EGLD: [30, '0.01', '0.01'], THETA: [1.5, '0.001', '0.1'], RUNE: [4, '0.001', '0.1'],
  CRV: [0.3, '0.001', '0.1'], LDO: [1.5, '0.001', '0.01'], STX: [1.7, '0.0001', '0.1'],
  IMX: [1.5, '0.0001', '0.01'], PEPE: [0.00001, '0.00000001', '1'], SHIB: [0.00002, '0.00000001', '1'],
  WIF: [2, '0.001', '0.1'], FET: [1.2, '0.001', '0.1'], TAO: [350, '0.1', '0.0001'],
  ENA: [0.4, '0.0001', '0.01'], JUP: [0.8, '0.0001', '0.01'], PYTH: [0.35, '0.0001', '0.1'],
  WLD: [2, '0.001', '0.1'], ORDI: [30, '0.01', '0.01'], BONK: [0.00002, '0.00000001', '1'],
  FLOKI: [0.00015, '0.00000001', '1'], GALA: [0.025, '0.00001', '1'], CHZ: [0.07, '0.0001', '1'],
  DYDX: [1.3, '0.001', '0.01'], SNX: [1.8, '0.001', '0.1'], COMP: [50, '0.01', '0.001'],
};

/** Price level of bases missing from the table. */
const UNKNOWN_BASE_PRICE = 1;

/**
 * The default market list: one TRADING market per symbol of `DEFAULT_SYMBOLS`, plus `LUNAUSDT`
 * in status BREAK (delisted, no perpetual).
 * @example defaultStandInMarkets().find((m) => m.symbol === 'BTCUSDT')?.tickSize // '0.01'
 */
export function defaultStandInMarkets(): StandInMarket[] {
  const markets = DEFAULT_SYMBOLS.map((unified): StandInMarket => {
    const [base = '', quote = ''] = unified.split('/');
    const [basePrice, tickSize, stepSize] = KNOWN_BASES[base] ?? [UNKNOWN_BASE_PRICE, ...sizesForPrice(UNKNOWN_BASE_PRICE)];
    return { symbol: `${base}${quote}`, base, quote, status: 'TRADING', tickSize, stepSize, minNotional: '5', basePrice };
  });
  markets.push({
    symbol: 'LUNAUSDT', base: 'LUNA', quote: 'USDT', status: 'BREAK',
    tickSize: '0.0001', stepSize: '0.01', minNotional: '5', basePrice: 0.5, perpetual: false,
  });
  return markets;
}

/**
 * Tick and step sizes that keep about five significant price digits, for bases without a table entry.
 * @example sizesForPrice(2.5) // ['0.0001', '0.1']
 */
export function sizesForPrice(price: number): [tickSize: string, stepSize: string] {
  const tickDecimals = Math.min(8, Math.max(2, 4 - Math.floor(Math.log10(price))));
  const stepDecimals = Math.min(5, Math.max(0, Math.floor(Math.log10(price)) + 1));
  return [(10 ** -tickDecimals).toFixed(tickDecimals), stepDecimals === 0 ? '1' : (10 ** -stepDecimals).toFixed(stepDecimals)];
}

/**
 * Fills defaults and validates caller-given markets, rejecting bad input by name.
 * @example resolveMarkets(defaultStandInMarkets()).get('BTCUSDT')?.tick.decimals // 2
 */
export function resolveMarkets(markets: readonly StandInMarket[], model: { priceModel?: PriceModelName; seed?: number } = {}): Map<string, ResolvedMarket> {
  const resolved = new Map<string, ResolvedMarket>();
  for (const market of markets) {
    const where = `stand-in market "${market.symbol}"`;
    if (!/^[A-Z0-9]+$/.test(market.symbol)) throw new Error(`${where}: symbol must be upper-case letters and digits`);
    if (resolved.has(market.symbol)) throw new Error(`${where}: listed twice`);
    if (!(Number.isFinite(market.basePrice) && market.basePrice > 0)) throw new Error(`${where}: basePrice must be a positive number`);
    const listedAtMs = market.listedAtMs ?? DEFAULT_LISTED_AT_MS;
    if (!Number.isFinite(listedAtMs)) throw new Error(`${where}: listedAtMs must be a finite time`);
    const tick = parseWithContext(market.tickSize, `${where}: tickSize`);
    const step = parseWithContext(market.stepSize, `${where}: stepSize`);
    parseWithContext(market.minNotional, `${where}: minNotional`);
    resolved.set(market.symbol, {
      ...market,
      status: market.status ?? 'TRADING',
      listedAtMs,
      perpetual: market.perpetual ?? true,
      tick,
      step,
      series: new CandleSeries({ symbol: market.symbol, basePrice: market.basePrice, tick, step, listedAtMs, ...model }),
    });
  }
  return resolved;
}

function parseWithContext(text: string, where: string) {
  try {
    return parseDecimalUnit(text);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}
