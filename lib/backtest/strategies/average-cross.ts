/**
 * The moving-average cross family: long when the fast average crosses above the slow one, the
 * opposite cross exits or reverses. SMA and EMA crosses differ only in the average they use.
 */
import { z } from 'zod';
import { crossTargets } from './signals.ts';
import { modeParam, periodParam } from './params.ts';
import type { Strategy } from './types.ts';

const paramsFor = (fast: number, slow: number) =>
  z
    .object({ fast: periodParam(fast), slow: periodParam(slow), mode: modeParam })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export type AverageCrossParams = z.infer<ReturnType<typeof paramsFor>>;

/**
 * @param label the average's short name, also its indicator-cache key prefix (`sma` → `sma:10`)
 * @example const smaCross = averageCross('sma-cross', 'sma', 'SMA', sma, 10, 30);
 */
export function averageCross(
  name: string,
  label: string,
  title: string,
  average: (values: Float64Array, period: number) => Float64Array,
  fast: number,
  slow: number,
): Strategy<AverageCrossParams> {
  return {
    name,
    description: `long when ${title}(fast) crosses above ${title}(slow); the opposite cross exits or reverses`,
    params: paramsFor(fast, slow),
    targets(bars, p, cache) {
      const { a, b } = this.crossSeries!(bars, p, cache);
      return crossTargets(a, b, p.mode);
    },
    crossSeries(bars, p, cache) {
      return {
        a: cache.get(`${label}:${p.fast}`, () => average(bars.close, p.fast)),
        b: cache.get(`${label}:${p.slow}`, () => average(bars.close, p.slow)),
      };
    },
  };
}
