/**
 * A Binance-compatible HTTP server on loopback: the exchange the real ccxt client talks to in
 * tests, and later the offline replay exchange of the demo. Spot `/api/v3` and USD-M `/fapi/v1`
 * market data from a deterministic synthetic series, with Binance's weights, errors and
 * injectable faults and gaps.
 */
export { startBinanceStandIn } from './server.ts';
export { defaultStandInMarkets } from './markets.ts';
export type {
  BinanceStandIn,
  BinanceStandInOptions,
  FaultAction,
  FaultController,
  FaultHandle,
  FaultMatch,
  FaultRule,
  GapController,
  GapRange,
  MalformedRowKind,
  RecordedRequest,
  StandInMarket,
} from './types.ts';
