/**
 * The CloudWatch metrics sink: PutMetricData in batches. Works against AWS, LocalStack and
 * moto alike; `createCloudWatchClient` reads the endpoint from the environment so the
 * emulators need no code path of their own.
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  type CloudWatchClientConfig,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { MetricsPublishError } from './errors.ts';
import type { MetricPoint, MetricsSink } from './types.ts';
import { metricPointsValidate } from './validate.ts';

/** PutMetricData takes at most 1000 data points per call; larger publishes are split. */
export const PUT_METRIC_DATA_MAX_POINTS = 1000;

/**
 * Where a {@link CloudWatchMetricsSink} publishes, and optionally the client to publish with.
 * @example const options: CloudWatchMetricsSinkOptions = { namespace: 'candlelake' };
 */
export interface CloudWatchMetricsSinkOptions {
  /** The CloudWatch namespace, e.g. `candlelake`; `AWS/…` is reserved for AWS. */
  namespace: string;
  /** Defaults to one shared client built by {@link createCloudWatchClient} on first use. */
  client?: CloudWatchClient;
}

/**
 * Builds a CloudWatch client from the environment: region from `AWS_REGION` /
 * `AWS_DEFAULT_REGION` (default `us-east-1`), and for emulators `AWS_ENDPOINT_URL_CLOUDWATCH` /
 * `AWS_ENDPOINT_URL`. PutMetricData has no checksum settings to tune (unlike S3); its bodies
 * over 10 KiB go gzip-compressed, which moto and LocalStack decode.
 *
 * @example
 * process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000'; // moto
 * const client = createCloudWatchClient();
 */
export function createCloudWatchClient(env: NodeJS.ProcessEnv = process.env): CloudWatchClient {
  const endpoint = env.AWS_ENDPOINT_URL_CLOUDWATCH || env.AWS_ENDPOINT_URL;
  const config: CloudWatchClientConfig = {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
  };
  if (endpoint) config.endpoint = endpoint;
  return new CloudWatchClient(config);
}

// Built once per process (a warm Lambda reuses it), and only when a sink needs it.
let sharedClient: CloudWatchClient | undefined;
function defaultClient(): CloudWatchClient {
  sharedClient ??= createCloudWatchClient();
  return sharedClient;
}

/**
 * A {@link MetricsSink} over one CloudWatch namespace. Validates every point before sending
 * any, then sends batches of at most {@link PUT_METRIC_DATA_MAX_POINTS} one after another;
 * a failed batch stops the publish with a {@link MetricsPublishError}.
 *
 * @example
 * const sink = new CloudWatchMetricsSink({ namespace: 'candlelake' });
 * await sink.publish([{ name: 'ValidateStatus', value: 0, unit: 'None', dimensions: { stage: 'prod' } }]);
 */
export class CloudWatchMetricsSink implements MetricsSink {
  readonly namespace: string;
  private readonly explicitClient: CloudWatchClient | undefined;

  constructor(options: CloudWatchMetricsSinkOptions) {
    const namespace = options.namespace;
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 255) {
      throw new RangeError(`CloudWatchMetricsSink needs a namespace of 1–255 characters, got ${JSON.stringify(namespace)}`);
    }
    if (namespace.startsWith('AWS/')) {
      throw new RangeError(`CloudWatch namespace "${namespace}" is reserved: names starting with "AWS/" belong to AWS`);
    }
    this.namespace = namespace;
    this.explicitClient = options.client;
  }

  private get client(): CloudWatchClient {
    return this.explicitClient ?? defaultClient();
  }

  async publish(points: MetricPoint[]): Promise<void> {
    metricPointsValidate(points);
    const batches = chunk(points.map(toMetricDatum), PUT_METRIC_DATA_MAX_POINTS);
    let pointsSent = 0;
    for (const [index, batch] of batches.entries()) {
      try {
        await this.client.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData: batch }));
      } catch (error) {
        throw new MetricsPublishError(this.namespace, index + 1, batches.length, pointsSent, error);
      }
      pointsSent += batch.length;
    }
  }
}

function toMetricDatum(point: MetricPoint): MetricDatum {
  const dimensions = Object.entries(point.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value }));
  return {
    MetricName: point.name,
    Value: point.value,
    Unit: point.unit,
    Dimensions: dimensions.length > 0 ? dimensions : undefined,
    Timestamp: point.timestampMs === undefined ? undefined : new Date(point.timestampMs),
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
