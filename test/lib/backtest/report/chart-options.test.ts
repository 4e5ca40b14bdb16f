import { describe, expect, it } from 'vitest';
import {
  drawdownPct,
  equityChartOption,
  heatmapOption,
  MAX_POINTS_PER_SERIES,
  priceChartOption,
} from '../../../../lib/backtest/report/index.ts';
import { FAST_VALUES, makeReportInput, makeResult, SLOW_VALUES } from './fixture.ts';
import { seriesNamed, seriesOf } from './helpers.ts';

describe('drawdownPct', () => {
  it('is 0 at new highs and the percent below the running peak otherwise', () => {
    const drawdown = Array.from(drawdownPct([100, 120, 90, 130, 117]));

    [0, 0, -25, 0, -10].forEach((expected, i) => expect(drawdown[i]).toBeCloseTo(expected, 12));
  });
});

describe('equityChartOption', () => {
  it('draws equity and drawdown on two grids sharing the time range', () => {
    const input = makeReportInput();

    const option = equityChartOption(input);

    expect(seriesOf(option).map((s) => s.name)).toEqual(['Equity', 'Drawdown']);
    expect(option.grid).toHaveLength(2);
    const [top, bottom] = option.xAxis as Array<{ min: number; max: number; gridIndex: number }>;
    expect([top!.gridIndex, bottom!.gridIndex]).toEqual([0, 1]);
    expect(top!.min).toBe(bottom!.min);
    expect(top!.max).toBe(bottom!.max);
    expect(option.animation).toBe(false);
  });

  it('plots every bar of a short series, drawdown in percent at or below zero', () => {
    const input = makeReportInput({ bars: 200 });

    const option = equityChartOption(input);

    const equity = seriesNamed(option, 'Equity').data;
    const drawdown = seriesNamed(option, 'Drawdown').data as Array<[number, number]>;
    expect(equity).toHaveLength(200);
    expect(equity[17]).toEqual([input.bars.time[17], input.detail.simulation.equity[17]]);
    expect(drawdown.every(([, v]) => v <= 0)).toBe(true);
    expect(Math.min(...drawdown.map(([, v]) => v))).toBeCloseTo(input.detail.result.stats.maxDrawdownPct, 10);
    expect((seriesNamed(option, 'Drawdown') as { areaStyle?: unknown }).areaStyle).toBeDefined();
  });

  it('downsamples long series but keeps the deepest drawdown exact', () => {
    const input = makeReportInput({ bars: 35_000 });

    const option = equityChartOption(input);

    const drawdown = seriesNamed(option, 'Drawdown').data as Array<[number, number]>;
    expect(seriesNamed(option, 'Equity').data.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(drawdown.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(Math.min(...drawdown.map(([, v]) => v))).toBeCloseTo(input.detail.result.stats.maxDrawdownPct, 10);
  });

  it('rejects an equity curve that does not match the bars', () => {
    const input = makeReportInput();
    input.detail.simulation.equity = input.detail.simulation.equity.subarray(1);

    expect(() => equityChartOption(input)).toThrow(/equity has 199 points but bars have 200/);
  });
});

describe('priceChartOption', () => {
  const input = makeReportInput();
  const option = priceChartOption(input);
  const trades = input.detail.simulation.trades;
  const longs = trades.filter((t) => t.direction === 1);
  const shorts = trades.filter((t) => t.direction === -1);

  it('has the close line and four marker series', () => {
    expect(seriesOf(option).map((s) => [s.name, s.type])).toEqual([
      ['Close', 'line'],
      ['Long entry', 'scatter'],
      ['Short entry', 'scatter'],
      ['Long exit', 'scatter'],
      ['Short exit', 'scatter'],
    ]);
    expect(seriesNamed(option, 'Close').data).toHaveLength(200);
  });

  it.each([
    ['Long entry', longs.map((t) => [t.entryTimeMs, t.entryPrice])],
    ['Short entry', shorts.map((t) => [t.entryTimeMs, t.entryPrice])],
    ['Long exit', longs.map((t) => [t.exitTimeMs, t.exitPrice])],
    ['Short exit', shorts.map((t) => [t.exitTimeMs, t.exitPrice])],
  ])('places %s markers at the trades’ fill times and prices', (name, expected) => {
    expect(seriesNamed(option, name).data).toEqual(expected);
  });

  it('marks long entries ▲, short entries ▼ and exits hollow', () => {
    expect(seriesNamed(option, 'Long entry')).toMatchObject({ symbol: 'triangle' });
    expect(seriesNamed(option, 'Short entry')).toMatchObject({ symbol: 'triangle', symbolRotate: 180 });
    expect(seriesNamed(option, 'Long exit')).toMatchObject({ symbol: 'emptyCircle' });
    expect(seriesNamed(option, 'Short exit')).toMatchObject({ symbol: 'emptyCircle' });
  });

  it('downsamples the close of a long series but never drops a trade marker', () => {
    const big = makeReportInput({ bars: 35_000 });

    const bigOption = priceChartOption(big);

    expect(seriesNamed(bigOption, 'Close').data.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    const markers = ['Long entry', 'Short entry', 'Long exit', 'Short exit'];
    const count = markers.reduce((n, name) => n + seriesNamed(bigOption, name).data.length, 0);
    expect(count).toBe(2 * big.detail.simulation.trades.length);
  });
});

describe('heatmapOption', () => {
  it('is undefined without a heatmap request', () => {
    expect(heatmapOption(makeReportInput({ heatmap: false }))).toBeUndefined();
  });

  it('has the distinct parameter values on the axes, in numeric order', () => {
    const option = heatmapOption(makeReportInput())!;

    expect((option.xAxis as { data: string[] }).data).toEqual(FAST_VALUES.map(String));
    expect((option.yAxis as { data: string[] }).data).toEqual(SLOW_VALUES.map(String));
  });

  it('colours each cell by the metric and leaves null cells out', () => {
    const input = makeReportInput();

    const data = seriesOf(heatmapOption(input)!)[0]!.data as Array<[number, number, number]>;

    expect(data).toHaveLength(11); // 12 cells, (fast 30, slow 50) has no Sharpe
    expect(data.find(([x, y]) => x === 3 && y === 0)).toBeUndefined();
    for (const r of input.results) {
      const x = FAST_VALUES.indexOf(r.params.fast as (typeof FAST_VALUES)[number]);
      const y = SLOW_VALUES.indexOf(r.params.slow as (typeof SLOW_VALUES)[number]);
      if (r.stats.sharpe === null) continue;
      expect(data).toContainEqual([x, y, r.stats.sharpe]);
    }
  });

  it('ignores results without both parameters', () => {
    const input = makeReportInput();
    input.results.push(makeResult({ fast: 99 }), makeResult({ period: 14 }));

    const option = heatmapOption(input)!;

    expect((option.xAxis as { data: string[] }).data).toEqual(FAST_VALUES.map(String));
  });

  it('is undefined when no result has both parameters', () => {
    const input = { ...makeReportInput(), heatmap: { xParam: 'a', yParam: 'b', metric: 'sharpe' as const } };

    expect(heatmapOption(input)).toBeUndefined();
  });
});
