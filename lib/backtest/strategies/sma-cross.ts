/** SMA cross: long when the fast simple moving average crosses above the slow one. */
import { z } from 'zod';
import { sma } from '../../indicators/index.ts';
import { crossTargets } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const params = z
  .object({ fast: periodParam(10), slow: periodParam(30), mode: modeParam })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export const smaCross: Strategy<z.infer<typeof params>> = {
  name: 'sma-cross',
  description: 'long when SMA(fast) crosses above SMA(slow); the opposite cross exits or reverses',
  params,
  targets(bars, p, cache) {
    const { a, b } = this.crossSeries!(bars, p, cache);
    return crossTargets(a, b, p.mode);
  },
  crossSeries(bars, p, cache) {
    return {
      a: cache.get(`sma:${p.fast}`, () => sma(bars.close, p.fast)),
      b: cache.get(`sma:${p.slow}`, () => sma(bars.close, p.slow)),
    };
  },
};
