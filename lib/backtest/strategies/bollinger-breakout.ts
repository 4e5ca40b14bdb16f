/** Bollinger breakout: long when the close crosses above the upper band; crossing below the lower band is the opposite signal. */
import { z } from 'zod';
import { bollinger } from '../../indicators/index.ts';
import { targetsFromEvents } from './signals.ts';
import { modeParam, periodParam, positiveParam } from './params.ts';
import type { Strategy } from './types.ts';

const params = z.object({ period: periodParam(20), k: positiveParam(2), mode: modeParam }).strict();

export const bollingerBreakout: Strategy<z.infer<typeof params>> = {
  name: 'bollinger-breakout',
  description: 'long when close crosses above the upper band (SMA ± k·σ); crossing below the lower band exits or reverses',
  params,
  targets(bars, p, cache) {
    const bands = cache.get(`bollinger:${p.period}:${p.k}`, () => bollinger(bars.close, p.period, p.k));
    const c = bars.close;
    return targetsFromEvents(
      c.length,
      p.mode,
      (t) => c[t - 1]! < bands.upper[t - 1]! && c[t]! > bands.upper[t]!,
      (t) => c[t - 1]! > bands.lower[t - 1]! && c[t]! < bands.lower[t]!,
    );
  },
};
