/**
 * `exchangeInfo` payloads for spot and USD-M futures, in Binance's field layout: ccxt's
 * `parseMarket` reads precision from PRICE_FILTER.tickSize and LOT_SIZE.stepSize, limits from
 * LOT_SIZE and NOTIONAL (spot) / MIN_NOTIONAL (futures), `active` from `status`, and tells a
 * perpetual from spot by `contractType` + `marginAsset`.
 */
import { formatMultiple, padDecimal, type DecimalUnit } from './decimals.ts';
import type { ResolvedMarket } from './markets.ts';

/** Spot writes every amount with 8 decimals ("0.01000000"), more only if a size needs it. */
export const spotDecimals = (unit: DecimalUnit): number => Math.max(8, unit.decimals);
/** Futures writes amounts with the size's own decimals ("0.10"). */
export const futuresDecimals = (unit: DecimalUnit): number => unit.decimals;

/** Binance's placeholder delivery date of perpetuals (2100-12-25). */
const PERPETUAL_DELIVERY_MS = 4133404800000;
/** Largest order size, as a notional in quote units; the quantity cap follows from the price level. */
const MAX_ORDER_NOTIONAL = 900_000_000;
const MAX_PRICE = '1000000';

/**
 * The spot `GET /api/v3/exchangeInfo` payload.
 * @example spotExchangeInfo([...markets.values()], Date.now(), 6000).symbols[0].filters[0].tickSize // '0.01000000'
 */
export function spotExchangeInfo(markets: readonly ResolvedMarket[], nowMs: number, weightLimitPerMinute: number) {
  return {
    timezone: 'UTC',
    serverTime: nowMs,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimitPerMinute },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: markets.map(spotSymbolInfo),
  };
}

/**
 * The USD-M `GET /fapi/v1/exchangeInfo` payload: the markets with `perpetual` set.
 * @example futuresExchangeInfo([...markets.values()], Date.now(), 6000).symbols[0].contractType // 'PERPETUAL'
 */
export function futuresExchangeInfo(markets: readonly ResolvedMarket[], nowMs: number, weightLimitPerMinute: number) {
  const perpetuals = markets.filter((market) => market.perpetual);
  return {
    timezone: 'UTC',
    serverTime: nowMs,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimitPerMinute },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [...new Set(perpetuals.map((market) => market.quote))].map((asset) => ({
      asset,
      marginAvailable: true,
      autoAssetExchange: '-10000',
    })),
    symbols: perpetuals.map(futuresSymbolInfo),
  };
}

function spotSymbolInfo(market: ResolvedMarket) {
  const size = (unit: DecimalUnit) => formatMultiple(1, unit, spotDecimals(unit));
  return {
    symbol: market.symbol,
    status: market.status,
    baseAsset: market.base,
    baseAssetPrecision: 8,
    quoteAsset: market.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: size(market.tick), maxPrice: padDecimal(MAX_PRICE, 8), tickSize: size(market.tick) },
      { filterType: 'LOT_SIZE', minQty: size(market.step), maxQty: padDecimal(maxQuantity(market), 8), stepSize: size(market.step) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      {
        filterType: 'NOTIONAL',
        minNotional: padDecimal(market.minNotional, 8),
        applyMinToMarket: true,
        maxNotional: padDecimal(String(MAX_ORDER_NOTIONAL), 8),
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'],
  };
}

function futuresSymbolInfo(market: ResolvedMarket) {
  const size = (unit: DecimalUnit) => formatMultiple(1, unit, futuresDecimals(unit));
  return {
    symbol: market.symbol,
    pair: market.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: PERPETUAL_DELIVERY_MS,
    onboardDate: market.listedAtMs,
    // A delisted perpetual settles; ccxt treats anything but TRADING as inactive.
    status: market.status === 'TRADING' ? 'TRADING' : 'SETTLING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: market.base,
    quoteAsset: market.quote,
    marginAsset: market.quote,
    pricePrecision: market.tick.decimals,
    quantityPrecision: market.step.decimals,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: size(market.tick), maxPrice: MAX_PRICE, tickSize: size(market.tick) },
      { filterType: 'LOT_SIZE', minQty: size(market.step), maxQty: maxQuantity(market), stepSize: size(market.step) },
      { filterType: 'MARKET_LOT_SIZE', minQty: size(market.step), maxQty: maxQuantity(market), stepSize: size(market.step) },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
      { filterType: 'MIN_NOTIONAL', notional: market.minNotional },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
    permissionSets: ['GRID', 'COPY'],
  };
}

/** Whole base units worth MAX_ORDER_NOTIONAL at the market's price level, at least 1. */
function maxQuantity(market: ResolvedMarket): string {
  return String(Math.max(1, Math.floor(MAX_ORDER_NOTIONAL / market.basePrice)));
}
