/**
 * RSI mean reversion: long when RSI climbs back above `lower` (leaving oversold); the opposite
 * signal is RSI falling back below `upper` (leaving overbought).
 */
import { z } from 'zod';
import { rsi } from '../../indicators/index.ts';
import { targetsFromEvents } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const level = (fallback: number) => z.coerce.number().min(0).max(100).default(fallback);

const params = z
  .object({ period: periodParam(14), lower: level(30), upper: level(70), mode: modeParam })
  .strict()
  .refine((p) => p.lower < p.upper, { message: 'lower must be below upper', path: ['lower'] });

export const rsiReversion: Strategy<z.infer<typeof params>> = {
  name: 'rsi-reversion',
  description: 'long when RSI(period) rises back above lower; falling back below upper exits or reverses',
  params,
  targets(bars, p, cache) {
    const r = cache.get(`rsi:${p.period}`, () => rsi(bars.close, p.period));
    return targetsFromEvents(
      r.length,
      p.mode,
      (t) => r[t - 1]! < p.lower && r[t]! > p.lower,
      (t) => r[t - 1]! > p.upper && r[t]! < p.upper,
    );
  },
};
