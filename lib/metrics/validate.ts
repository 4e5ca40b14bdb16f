/**
 * The checks every sink runs before it accepts points, so a local run (log or memory sink)
 * rejects the same input CloudWatch would, instead of a bad value surfacing only on AWS.
 */
import type { MetricPoint, MetricUnit } from './types.ts';

/** CloudWatch's limits (PutMetricData API reference). */
const MAX_NAME_LENGTH = 255;
const MAX_DIMENSIONS = 30;
const UNITS: ReadonlySet<MetricUnit> = new Set(['Count', 'None', 'Seconds', 'Percent']);

/**
 * Throws a RangeError naming the first bad point and what is wrong with it.
 *
 * @example
 * metricPointsValidate([{ name: 'StaleSeries', value: Number.NaN }]); // RangeError: metric point 0 ("StaleSeries"): value must be a finite number, got NaN
 */
export function metricPointsValidate(points: readonly MetricPoint[]): void {
  if (!Array.isArray(points)) throw new RangeError('metric points must be an array');
  points.forEach((point, index) => {
    const problem = metricPointProblem(point);
    if (problem !== undefined) {
      const label = typeof point?.name === 'string' ? ` ("${point.name}")` : '';
      throw new RangeError(`metric point ${index}${label}: ${problem}`);
    }
  });
}

function metricPointProblem(point: MetricPoint): string | undefined {
  if (typeof point !== 'object' || point === null) return 'must be an object';
  if (!isLabel(point.name)) return `name must be 1–${MAX_NAME_LENGTH} characters`;
  if (typeof point.value !== 'number' || !Number.isFinite(point.value)) {
    return `value must be a finite number, got ${String(point.value)}`;
  }
  if (point.unit !== undefined && !UNITS.has(point.unit)) {
    return `unit must be one of ${[...UNITS].join(', ')}, got ${String(point.unit)}`;
  }
  if (point.timestampMs !== undefined && !Number.isFinite(point.timestampMs)) {
    return `timestampMs must be a finite number, got ${String(point.timestampMs)}`;
  }
  const dimensions = Object.entries(point.dimensions ?? {});
  if (dimensions.length > MAX_DIMENSIONS) return `at most ${MAX_DIMENSIONS} dimensions, got ${dimensions.length}`;
  for (const [name, value] of dimensions) {
    if (!isLabel(name) || !isLabel(value)) {
      return `dimension names and values must be 1–${MAX_NAME_LENGTH} characters, got ${JSON.stringify(name)}=${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

function isLabel(text: unknown): text is string {
  return typeof text === 'string' && text.length > 0 && text.length <= MAX_NAME_LENGTH;
}
