/** MACD: long when the MACD line crosses above its signal line; the opposite cross exits or reverses. */
import { z } from 'zod';
import { macd } from '../../indicators/index.ts';
import { crossTargets } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const params = z
  .object({ fast: periodParam(12), slow: periodParam(26), signal: periodParam(9), mode: modeParam })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export const macdCross: Strategy<z.infer<typeof params>> = {
  name: 'macd',
  description: 'long when MACD(fast, slow) crosses above its signal EMA; the opposite cross exits or reverses',
  params,
  targets(bars, p, cache) {
    const { a, b } = this.crossSeries!(bars, p, cache);
    return crossTargets(a, b, p.mode);
  },
  crossSeries(bars, p, cache) {
    const m = cache.get(`macd:${p.fast}:${p.slow}:${p.signal}`, () => macd(bars.close, p.fast, p.slow, p.signal));
    return { a: m.macd, b: m.signal };
  },
};
