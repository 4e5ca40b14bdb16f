/**
 * Metrics sinks for runs without CloudWatch: one log line per point (the CLI and the local
 * daemon), or an in-memory list (tests, and the daemon's status view).
 */
import type { JobLogger } from '../logging/types.ts';
import type { MetricPoint, MetricsSink } from './types.ts';
import { metricPointsValidate } from './validate.ts';

/**
 * Writes each point as one `info` line with the message `metric` and the fields
 * `{ metric, value, unit, dimensions }` (plus `timestampMs` when the point has one).
 * The unit defaults to `None` and dimensions to `{}`, as CloudWatch would store them.
 *
 * @example
 * await new LogMetricsSink(logger).publish([{ name: 'StaleSeries', value: 3, unit: 'Count' }]);
 * // {"level":"INFO","message":"metric","metric":"StaleSeries","value":3,"unit":"Count","dimensions":{}}
 */
export class LogMetricsSink implements MetricsSink {
  constructor(private readonly logger: JobLogger) {}

  async publish(points: MetricPoint[]): Promise<void> {
    metricPointsValidate(points);
    for (const point of points) {
      this.logger.info('metric', {
        metric: point.name,
        value: point.value,
        unit: point.unit ?? 'None',
        dimensions: { ...point.dimensions },
        ...(point.timestampMs === undefined ? {} : { timestampMs: point.timestampMs }),
      });
    }
  }
}

/** Options of a {@link MemoryMetricsSink}. */
export interface MemoryMetricsSinkOptions {
  /** Oldest points are dropped beyond this many, so a long-running daemon stays bounded. Default 10 000. */
  maxPoints?: number;
}

const MEMORY_SINK_DEFAULTS: Required<MemoryMetricsSinkOptions> = { maxPoints: 10_000 };

/**
 * Keeps published points in order of arrival (copies, so later changes by the caller do not
 * leak in). Validates like the other sinks.
 *
 * @example
 * const sink = new MemoryMetricsSink();
 * await sink.publish([{ name: 'ValidateStatus', value: 1 }]);
 * sink.latest('ValidateStatus')?.value; // 1
 */
export class MemoryMetricsSink implements MetricsSink {
  private readonly stored: MetricPoint[] = [];
  private readonly maxPoints: number;

  constructor(options: MemoryMetricsSinkOptions = {}) {
    const { maxPoints } = { ...MEMORY_SINK_DEFAULTS, ...options };
    if (!Number.isInteger(maxPoints) || maxPoints < 1) {
      throw new RangeError(`MemoryMetricsSink maxPoints must be a positive integer, got ${maxPoints}`);
    }
    this.maxPoints = maxPoints;
  }

  /** Every kept point, oldest first. */
  get points(): readonly MetricPoint[] {
    return this.stored;
  }

  async publish(points: MetricPoint[]): Promise<void> {
    metricPointsValidate(points);
    for (const point of points) {
      this.stored.push({ ...point, ...(point.dimensions ? { dimensions: { ...point.dimensions } } : {}) });
    }
    if (this.stored.length > this.maxPoints) this.stored.splice(0, this.stored.length - this.maxPoints);
  }

  /**
   * The most recent point named `name` whose dimensions include every given one
   * (`undefined` if none).
   */
  latest(name: string, dimensions: Record<string, string> = {}): MetricPoint | undefined {
    const wanted = Object.entries(dimensions);
    for (let index = this.stored.length - 1; index >= 0; index--) {
      const point = this.stored[index] as MetricPoint;
      if (point.name === name && wanted.every(([key, value]) => point.dimensions?.[key] === value)) return point;
    }
    return undefined;
  }

  /** Forgets every point. */
  clear(): void {
    this.stored.length = 0;
  }
}
