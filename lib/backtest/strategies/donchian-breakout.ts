/**
 * Donchian breakout: long when the close rises above the highest high of the previous `period`
 * bars; a close below their lowest low is the opposite signal. The channel excludes the current
 * bar, or a close could never exceed it.
 */
import { z } from 'zod';
import { donchian } from '../../indicators/index.ts';
import { targetsFromEvents } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const params = z.object({ period: periodParam(20), mode: modeParam }).strict();

export const donchianBreakout: Strategy<z.infer<typeof params>> = {
  name: 'donchian-breakout',
  description: 'long when close breaks above the prior period high; a break below the prior period low exits or reverses',
  params,
  targets(bars, p, cache) {
    const channel = cache.get(`donchian:${p.period}`, () => donchian(bars.high, bars.low, p.period));
    const c = bars.close;
    return targetsFromEvents(
      c.length,
      p.mode,
      (t) => c[t]! > channel.upper[t - 1]!,
      (t) => c[t]! < channel.lower[t - 1]!,
    );
  },
};
