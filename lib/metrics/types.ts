/**
 * The metrics port: the few numbers a job publishes so alarms can fire on them (validate's
 * status, the count of stale series, the backtest heartbeat). Adapters live beside this file;
 * no AWS SDK call happens outside them.
 */

/** The CloudWatch units this project uses; CloudWatch treats a missing unit as `None`. */
export type MetricUnit = 'Count' | 'None' | 'Seconds' | 'Percent';

/**
 * One value of one metric. Points with the same name but different dimensions are different
 * series (and different alarms).
 *
 * @example
 * const point: MetricPoint = { name: 'ValidateStatus', value: 2, unit: 'None', dimensions: { stage: 'prod' } };
 */
export interface MetricPoint {
  /** 1–255 characters. */
  name: string;
  /** A finite number (CloudWatch rejects NaN and ±Infinity). */
  value: number;
  /** Defaults to `None`. */
  unit?: MetricUnit;
  /** At most 30; names and values 1–255 characters. */
  dimensions?: Record<string, string>;
  /** When the value was observed, in epoch milliseconds; defaults to the time it is received. */
  timestampMs?: number;
}

/**
 * Where jobs send their metrics. `publish` resolves once every point was accepted, and
 * rejects (without retrying on its own) if any was not.
 *
 * @example
 * await sink.publish([{ name: 'StaleSeries', value: 3, unit: 'Count' }]);
 */
export interface MetricsSink {
  publish(points: MetricPoint[]): Promise<void>;
}
