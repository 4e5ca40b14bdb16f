/**
 * Technical indicators on typed arrays, shared by the backtest strategies and the features
 * dataset. Pure functions: one Float64Array (or a few) of the input's length per call, NaN where
 * an indicator has no value yet, O(n) whatever the period. Conventions follow TA-Lib; where we
 * differ, the function's TSDoc says how and why.
 */
export { atr } from './atr.ts';
export { bollinger } from './bollinger.ts';
export { crossover, crossunder } from './cross.ts';
export { donchian } from './donchian.ts';
export { ema } from './ema.ts';
export { macd } from './macd.ts';
export { rsi } from './rsi.ts';
export { sma } from './sma.ts';
export { trueRange } from './true-range.ts';
export type { BollingerBands, DonchianChannel, MacdLines } from './types.ts';
