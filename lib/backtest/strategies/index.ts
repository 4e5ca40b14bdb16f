/**
 * The strategy registry. Adding a strategy is one file plus one line here.
 */
import { bollingerBreakout } from './bollinger-breakout.ts';
import { donchianBreakout } from './donchian-breakout.ts';
import { emaCross } from './ema-cross.ts';
import { macdCross } from './macd-cross.ts';
import { rsiReversion } from './rsi-reversion.ts';
import { smaCross } from './sma-cross.ts';
import type { Strategy } from './types.ts';

export type { Strategy, StrategyMode } from './types.ts';
export { IndicatorCache } from './indicator-cache.ts';

/** Every strategy by name. */
export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map(
  ([smaCross, emaCross, rsiReversion, bollingerBreakout, donchianBreakout, macdCross] as unknown as Strategy[]).map((s) => [s.name, s]),
);
