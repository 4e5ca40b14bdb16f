/**
 * The metrics port: what jobs publish for alarms, and the sink chosen by the environment
 * (`CANDLELAKE_METRICS=cloudwatch` on AWS, log lines everywhere else).
 */
import type { JobLogger } from '../logging/types.ts';
import { CloudWatchMetricsSink, createCloudWatchClient } from './cloudwatch.ts';
import { LogMetricsSink } from './log-sink.ts';
import type { MetricsSink } from './types.ts';

export {
  CloudWatchMetricsSink,
  createCloudWatchClient,
  PUT_METRIC_DATA_MAX_POINTS,
  type CloudWatchMetricsSinkOptions,
} from './cloudwatch.ts';
export { MetricsPublishError } from './errors.ts';
export { LogMetricsSink, MemoryMetricsSink, type MemoryMetricsSinkOptions } from './log-sink.ts';
export type { MetricPoint, MetricsSink, MetricUnit } from './types.ts';

/** The namespace used when `CANDLELAKE_METRICS_NAMESPACE` is unset or empty. */
export const DEFAULT_METRICS_NAMESPACE = 'candlelake';

/**
 * Picks the sink from the environment: `CANDLELAKE_METRICS=cloudwatch` publishes to
 * CloudWatch (namespace `CANDLELAKE_METRICS_NAMESPACE`, default `candlelake`; client from
 * {@link createCloudWatchClient} over the same `env`); unset, empty or `log` writes log
 * lines through `logger`. Any other value throws, so a typo cannot silently turn alarms off.
 * Call it once per process (module scope in a Lambda handler).
 *
 * @example
 * const metrics = metricsSinkFromEnv(process.env, logger);
 * await metrics.publish([{ name: 'ValidateStatus', value: 0, unit: 'None' }]);
 */
export function metricsSinkFromEnv(env: NodeJS.ProcessEnv, logger: JobLogger): MetricsSink {
  const kind = (env.CANDLELAKE_METRICS ?? '').trim().toLowerCase();
  if (kind === 'cloudwatch') {
    const namespace = env.CANDLELAKE_METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE;
    return new CloudWatchMetricsSink({ namespace, client: createCloudWatchClient(env) });
  }
  if (kind === '' || kind === 'log') return new LogMetricsSink(logger);
  throw new RangeError(`CANDLELAKE_METRICS must be "cloudwatch", "log" or unset, got ${JSON.stringify(env.CANDLELAKE_METRICS)}`);
}
