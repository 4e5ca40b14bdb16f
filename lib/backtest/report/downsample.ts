/**
 * Point reduction for plotted series. A 35,000-bar run drawn point by point makes a multi-MB SVG
 * with more points than the chart has pixels; this keeps the shape (every peak and trough) at a
 * bounded size, so the report's size no longer grows with the length of the series.
 */

/** Cap on plotted points per line series; finer than any chart width we render. */
export const MAX_POINTS_PER_SERIES = 2000;

/** One plotted point: `[timeMs, value]`, the pair ECharts reads on a time axis. */
export type Point = [timeMs: number, value: number];

/**
 * Reduces a series to at most `maxPoints` points by min/max bucketing.
 *
 * Rule: the first and last points are always kept; the points between them are split into
 * `floor((maxPoints - 2) / 2)` buckets of consecutive indices, and each bucket contributes its
 * lowest and its highest point, in time order. Keeping both extremes (instead of an average or
 * every n-th point) is what keeps a one-bar equity dip — the bottom of a drawdown — on the chart.
 * Non-finite values are skipped inside buckets. Series already short enough are returned whole.
 *
 * @example
 * downsampleMinMax(bars.time, simulation.equity) // ≤ 2,000 [timeMs, equity] pairs
 * downsampleMinMax([0, 1, 2], [5, 6, 7]) // [[0, 5], [1, 6], [2, 7]]
 */
export function downsampleMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  maxPoints: number = MAX_POINTS_PER_SERIES,
): Point[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new RangeError(`maxPoints must be an integer >= 4, got ${maxPoints}`);
  }
  const n = Math.min(x.length, y.length);
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => [x[i]!, y[i]!]);

  const points: Point[] = [[x[0]!, y[0]!]];
  const interior = n - 2; // indices 1 .. n-2
  const buckets = Math.floor((maxPoints - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < y[iMin]!) iMin = i;
      if (iMax < 0 || v > y[iMax]!) iMax = i;
    }
    if (iMin < 0) continue;
    // Time order, so the line runs through both extremes instead of doubling back.
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    points.push([x[first]!, y[first]!]);
    if (second !== first) points.push([x[second]!, y[second]!]);
  }
  points.push([x[n - 1]!, y[n - 1]!]);
  return points;
}
