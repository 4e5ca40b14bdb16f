/** EMA cross: long when the fast exponential moving average crosses above the slow one. */
import { z } from 'zod';
import { ema } from '../../indicators/index.ts';
import { crossTargets } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const params = z
  .object({ fast: periodParam(12), slow: periodParam(26), mode: modeParam })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export const emaCross: Strategy<z.infer<typeof params>> = {
  name: 'ema-cross',
  description: 'long when EMA(fast) crosses above EMA(slow); the opposite cross exits or reverses',
  params,
  targets(bars, p, cache) {
    const { a, b } = this.crossSeries!(bars, p, cache);
    return crossTargets(a, b, p.mode);
  },
  crossSeries(bars, p, cache) {
    return {
      a: cache.get(`ema:${p.fast}`, () => ema(bars.close, p.fast)),
      b: cache.get(`ema:${p.slow}`, () => ema(bars.close, p.slow)),
    };
  },
};
