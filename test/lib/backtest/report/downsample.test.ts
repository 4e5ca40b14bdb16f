import { describe, expect, it } from 'vitest';
import { downsampleMinMax, MAX_POINTS_PER_SERIES } from '../../../../lib/backtest/report/downsample.ts';

function series(n: number, f: (i: number) => number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: n }, (_, i) => i * 1000);
  const y = Float64Array.from({ length: n }, (_, i) => f(i));
  return { x, y };
}

describe('downsampleMinMax', () => {
  it('returns short series whole', () => {
    const { x, y } = series(5, (i) => i * 2);

    expect(downsampleMinMax(x, y)).toEqual([[0, 0], [1000, 2], [2000, 4], [3000, 6], [4000, 8]]);
  });

  it.each([10_000, 35_000, 2_001])('keeps %i points within the cap, first and last included', (n) => {
    const { x, y } = series(n, (i) => Math.sin(i / 50));

    const points = downsampleMinMax(x, y);

    expect(points.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(points[0]).toEqual([0, y[0]]);
    expect(points.at(-1)).toEqual([(n - 1) * 1000, y[n - 1]]);
  });

  it('keeps a one-point dip and a one-point spike (the bottom of a drawdown survives)', () => {
    const { x, y } = series(35_000, () => 100);
    y[12_345] = 40;
    y[23_456] = 180;

    const points = downsampleMinMax(x, y);

    expect(points).toContainEqual([12_345_000, 40]);
    expect(points).toContainEqual([23_456_000, 180]);
  });

  it('emits points in time order', () => {
    const { x, y } = series(9_999, (i) => Math.cos(i / 7) * i);

    const times = downsampleMinMax(x, y, 500).map((p) => p[0]);

    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('rejects a cap too small to hold first, last and one bucket', () => {
    expect(() => downsampleMinMax([1], [1], 3)).toThrow(RangeError);
  });
});
