/** LogMetricsSink (one structured log line per point) and MemoryMetricsSink (kept points). */
import { describe, expect, it } from 'vitest';
import type { JobLogger } from '../../../lib/logging/types.ts';
import { logCallText, recordCapturedOutput } from '../../harness/secret-log-guard.ts';
import { LogMetricsSink, MemoryMetricsSink, type MetricPoint } from '../../../lib/metrics/index.ts';

/** A logger that keeps every call, by level. */
function recordingLogger(): JobLogger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
    recordCapturedOutput(logCallText(level, message, fields), 'recordingLogger');
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('LogMetricsSink', () => {
  it.each<[string, MetricPoint, Record<string, unknown>]>([
    [
      'a point with unit and dimensions',
      { name: 'ValidateStatus', value: 2, unit: 'None', dimensions: { stage: 'prod', job: 'validate' } },
      { metric: 'ValidateStatus', value: 2, unit: 'None', dimensions: { stage: 'prod', job: 'validate' } },
    ],
    [
      'a bare point (unit None, no dimensions)',
      { name: 'StaleSeries', value: 0 },
      { metric: 'StaleSeries', value: 0, unit: 'None', dimensions: {} },
    ],
    [
      'a point with a timestamp',
      { name: 'HeartbeatAge', value: 12.5, unit: 'Seconds', timestampMs: 1_700_000_000_000 },
      { metric: 'HeartbeatAge', value: 12.5, unit: 'Seconds', dimensions: {}, timestampMs: 1_700_000_000_000 },
    ],
  ])('writes %s as one info line', async (_label, point, fields) => {
    const logger = recordingLogger();

    await new LogMetricsSink(logger).publish([point]);

    expect(logger.lines).toEqual([{ level: 'info', message: 'metric', fields }]);
  });

  it('writes one line per point, in order', async () => {
    const logger = recordingLogger();

    await new LogMetricsSink(logger).publish([
      { name: 'A', value: 1 },
      { name: 'B', value: 2, unit: 'Count' },
      { name: 'A', value: 3 },
    ]);

    expect(logger.lines.map((line) => [line.fields?.metric, line.fields?.value])).toEqual([['A', 1], ['B', 2], ['A', 3]]);
  });

  it('logs nothing when any point is invalid', async () => {
    const logger = recordingLogger();

    await expect(
      new LogMetricsSink(logger).publish([{ name: 'A', value: 1 }, { name: 'B', value: Number.NaN }]),
    ).rejects.toThrow('metric point 1 ("B"): value must be a finite number, got NaN');
    expect(logger.lines).toEqual([]);
  });
});

describe('MemoryMetricsSink', () => {
  it('keeps points in arrival order across publishes', async () => {
    const sink = new MemoryMetricsSink();

    await sink.publish([{ name: 'A', value: 1 }]);
    await sink.publish([{ name: 'B', value: 2, unit: 'Count', dimensions: { stage: 'dev' } }]);

    expect(sink.points).toEqual([
      { name: 'A', value: 1 },
      { name: 'B', value: 2, unit: 'Count', dimensions: { stage: 'dev' } },
    ]);
  });

  it('keeps copies, so the caller changing its objects later changes nothing', async () => {
    const sink = new MemoryMetricsSink();
    const point: MetricPoint = { name: 'A', value: 1, dimensions: { stage: 'dev' } };

    await sink.publish([point]);
    point.value = 99;
    point.dimensions = { ...point.dimensions, stage: 'prod' };

    expect(sink.points).toEqual([{ name: 'A', value: 1, dimensions: { stage: 'dev' } }]);
  });

  it.each<[string, string, Record<string, string> | undefined, number | undefined]>([
    ['the last point of a name', 'Status', undefined, 3],
    ['the last point matching given dimensions', 'Status', { stage: 'dev' }, 2],
    ['undefined when dimensions do not match', 'Status', { stage: 'qa' }, undefined],
    ['undefined for an unknown name', 'Nope', undefined, undefined],
  ])('latest() finds %s', async (_label, name, dimensions, expected) => {
    const sink = new MemoryMetricsSink();
    await sink.publish([
      { name: 'Status', value: 1, dimensions: { stage: 'dev', job: 'validate' } },
      { name: 'Status', value: 2, dimensions: { stage: 'dev', job: 'validate' } },
      { name: 'Status', value: 3, dimensions: { stage: 'prod' } },
    ]);

    expect(sink.latest(name, dimensions)?.value).toBe(expected);
  });

  it('drops the oldest points beyond maxPoints', async () => {
    const sink = new MemoryMetricsSink({ maxPoints: 3 });

    await sink.publish([1, 2].map((value) => ({ name: 'A', value })));
    await sink.publish([3, 4, 5].map((value) => ({ name: 'A', value })));

    expect(sink.points.map((point) => point.value)).toEqual([3, 4, 5]);
  });

  it('forgets everything on clear()', async () => {
    const sink = new MemoryMetricsSink();
    await sink.publish([{ name: 'A', value: 1 }]);

    sink.clear();

    expect(sink.points).toEqual([]);
    expect(sink.latest('A')).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxPoints %s', (maxPoints) => {
    expect(() => new MemoryMetricsSink({ maxPoints })).toThrow(RangeError);
  });

  it('keeps nothing from a publish with an invalid point', async () => {
    const sink = new MemoryMetricsSink();

    await expect(sink.publish([{ name: 'A', value: 1 }, { name: '', value: 2 }])).rejects.toThrow(RangeError);
    expect(sink.points).toEqual([]);
  });
});
