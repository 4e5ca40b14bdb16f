/**
 * CloudWatchMetricsSink against moto (or LocalStack) through the real SDK: what is published
 * can be read back with its values, unit and dimensions, and big publishes are split.
 *
 * Reads use GetMetricStatistics plus ListMetrics, each test in a namespace of its own:
 * moto's GetMetricData ignores the namespace once a query has dimensions, and its
 * GetMetricStatistics matches any datum whose dimensions *include* the ones asked for
 * (CloudWatch wants the exact set), so only a fresh namespace keeps series apart.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type Datapoint,
  type Dimension,
} from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CloudWatchMetricsSink,
  createCloudWatchClient,
  MetricsPublishError,
  PUT_METRIC_DATA_MAX_POINTS,
  type MetricPoint,
} from '../../../lib/metrics/index.ts';
import { useAwsEndpoint } from '../../harness/aws.ts';

const HOUR_MS = 3_600_000;
let client: CloudWatchClient;

beforeAll(() => {
  useAwsEndpoint();
  client = createCloudWatchClient();
});

const freshNamespace = (): string => `test-${randomUUID()}`;
const dims = (record: Record<string, string>): Dimension[] =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

/** One datapoint per series: a period wide enough to cover the whole query window. */
async function statistics(
  namespace: string,
  name: string,
  dimensions: Record<string, string> = {},
  window: { startMs: number; endMs: number } = { startMs: Date.now() - HOUR_MS, endMs: Date.now() + HOUR_MS },
): Promise<Datapoint[]> {
  const response = await client.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: name,
      Dimensions: dims(dimensions),
      StartTime: new Date(window.startMs),
      EndTime: new Date(window.endMs),
      Period: 86_400,
      Statistics: ['Sum', 'SampleCount', 'Minimum', 'Maximum'],
    }),
  );
  return response.Datapoints ?? [];
}

async function dimensionSets(namespace: string, name: string): Promise<Record<string, string>[]> {
  const response = await client.send(new ListMetricsCommand({ Namespace: namespace, MetricName: name }));
  return (response.Metrics ?? []).map((metric) =>
    Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
  );
}

describe('CloudWatchMetricsSink (moto)', () => {
  it('publishes values with their unit and dimensions', async () => {
    // Arrange
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink({ namespace, client });
    const points: MetricPoint[] = [
      { name: 'ValidateStatus', value: 2, unit: 'None', dimensions: { job: 'validate', stage: 'dev' } },
      { name: 'StaleSeries', value: 7, unit: 'Count', dimensions: { job: 'validate', stage: 'dev' } },
      { name: 'HeartbeatAge', value: 42.5, unit: 'Seconds', dimensions: { job: 'backtest' } },
    ];

    // Act
    await sink.publish(points);

    // Assert
    const status = await statistics(namespace, 'ValidateStatus', { job: 'validate', stage: 'dev' });
    expect(status).toMatchObject([{ SampleCount: 1, Sum: 2, Maximum: 2, Unit: 'None' }]);
    const stale = await statistics(namespace, 'StaleSeries', { job: 'validate', stage: 'dev' });
    expect(stale).toMatchObject([{ SampleCount: 1, Sum: 7, Unit: 'Count' }]);
    const heartbeat = await statistics(namespace, 'HeartbeatAge', { job: 'backtest' });
    expect(heartbeat).toMatchObject([{ SampleCount: 1, Sum: 42.5, Unit: 'Seconds' }]);
    expect(await dimensionSets(namespace, 'ValidateStatus')).toEqual([{ job: 'validate', stage: 'dev' }]);
    expect(await dimensionSets(namespace, 'HeartbeatAge')).toEqual([{ job: 'backtest' }]);
  });

  it('keeps series with different dimensions apart', async () => {
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink({ namespace, client });

    await sink.publish([
      { name: 'ValidateStatus', value: 1, dimensions: { stage: 'dev' } },
      { name: 'ValidateStatus', value: 2, dimensions: { stage: 'prod' } },
      { name: 'ValidateStatus', value: 0 },
    ]);

    expect(await statistics(namespace, 'ValidateStatus', { stage: 'dev' })).toMatchObject([{ SampleCount: 1, Sum: 1 }]);
    expect(await statistics(namespace, 'ValidateStatus', { stage: 'prod' })).toMatchObject([{ SampleCount: 1, Sum: 2 }]);
    const sets = await dimensionSets(namespace, 'ValidateStatus');
    expect(sets).toHaveLength(3);
    expect(sets).toEqual(expect.arrayContaining([{ stage: 'dev' }, { stage: 'prod' }, {}]));
  });

  it('stores a point at its timestampMs', async () => {
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink({ namespace, client });
    const observedMs = Date.now() - 30 * 60_000;

    await sink.publish([{ name: 'StaleSeries', value: 3, unit: 'Count', timestampMs: observedMs }]);

    const around = { startMs: observedMs - 5 * 60_000, endMs: observedMs + 5 * 60_000 };
    const recent = { startMs: Date.now() - 10 * 60_000, endMs: Date.now() + 10 * 60_000 };
    expect(await statistics(namespace, 'StaleSeries', {}, around)).toMatchObject([{ Sum: 3 }]);
    expect(await statistics(namespace, 'StaleSeries', {}, recent)).toEqual([]);
  });

  it('publishes nothing, and calls nothing, for an empty list', async () => {
    const send = vi.spyOn(client, 'send');
    try {
      await new CloudWatchMetricsSink({ namespace: freshNamespace(), client }).publish([]);
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
  });

  it(`splits more than ${PUT_METRIC_DATA_MAX_POINTS} points into calls of at most ${PUT_METRIC_DATA_MAX_POINTS}`, async () => {
    // Arrange
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink({ namespace, client });
    const points = Array.from({ length: 2_500 }, (_, i): MetricPoint => ({
      name: 'Bulk',
      value: i,
      unit: 'Count',
      dimensions: { shard: 'a' },
    }));
    const sizes: (number | undefined)[] = [];
    const firstValues: (number | undefined)[] = [];
    const realSend = client.send.bind(client);
    const send = vi.spyOn(client, 'send').mockImplementation(((command: PutMetricDataCommand) => {
      sizes.push(command.input.MetricData?.length);
      firstValues.push(command.input.MetricData?.[0]?.Value);
      return realSend(command);
    }) as never);

    // Act
    try {
      await sink.publish(points);
    } finally {
      send.mockRestore();
    }

    // Assert: three calls in order, and moto holds every point once.
    expect(sizes).toEqual([1_000, 1_000, 500]);
    expect(firstValues).toEqual([0, 1_000, 2_000]);
    const [total] = await statistics(namespace, 'Bulk', { shard: 'a' });
    expect(total).toMatchObject({ SampleCount: 2_500, Sum: (2_499 * 2_500) / 2, Minimum: 0, Maximum: 2_499, Unit: 'Count' });
  });

  it('stops at a failed batch and says how far it got', async () => {
    // Arrange: the second PutMetricData fails; the first reaches moto.
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink({ namespace, client });
    const points = Array.from({ length: 2_500 }, (_, i): MetricPoint => ({ name: 'Bulk', value: i }));
    const realSend = client.send.bind(client);
    let calls = 0;
    const send = vi.spyOn(client, 'send').mockImplementation(((command: PutMetricDataCommand) => {
      calls += 1;
      if (calls === 2) return Promise.reject(new Error('throttled by the test'));
      return realSend(command);
    }) as never);

    // Act
    let caught: unknown;
    try {
      await sink.publish(points);
    } catch (error) {
      caught = error;
    } finally {
      send.mockRestore();
    }

    // Assert
    expect(caught).toBeInstanceOf(MetricsPublishError);
    const error = caught as MetricsPublishError;
    expect(error).toMatchObject({ namespace, batchNumber: 2, batchCount: 3, pointsSent: 1_000 });
    expect(error.message).toBe(
      `CloudWatch PutMetricData to namespace "${namespace}" failed on batch 2 of 3 (1000 points sent before it): Error: throttled by the test`,
    );
    expect((error.cause as Error).message).toBe('throttled by the test');
    expect(calls).toBe(2);
    expect(await statistics(namespace, 'Bulk')).toMatchObject([{ SampleCount: 1_000 }]);
  });

  it('wraps an SDK failure (endpoint not answering) with the namespace and the cause', async () => {
    const port = await closedLoopbackPort();
    const unreachable = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const sink = new CloudWatchMetricsSink({ namespace: 'candlelake-test', client: unreachable });

    const publishing = sink.publish([{ name: 'ValidateStatus', value: 0 }]);

    await expect(publishing).rejects.toThrow(MetricsPublishError);
    await expect(publishing).rejects.toThrow(/namespace "candlelake-test" failed on batch 1 of 1 \(0 points sent before it\): .*ECONNREFUSED/);
  });

  it('rejects bad points before sending any batch', async () => {
    const send = vi.spyOn(client, 'send');
    const sink = new CloudWatchMetricsSink({ namespace: freshNamespace(), client });
    const points: MetricPoint[] = [
      ...Array.from({ length: 1_500 }, (_, i) => ({ name: 'Bulk', value: i })),
      { name: 'Bulk', value: Number.POSITIVE_INFINITY },
    ];
    try {
      await expect(sink.publish(points)).rejects.toThrow('metric point 1500 ("Bulk"): value must be a finite number, got Infinity');
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
  });

  it('uses a client built from the environment when given none', async () => {
    const namespace = freshNamespace();

    await new CloudWatchMetricsSink({ namespace }).publish([{ name: 'ValidateStatus', value: 1, unit: 'None' }]);

    expect(await statistics(namespace, 'ValidateStatus')).toMatchObject([{ Sum: 1, Unit: 'None' }]);
  });
});

/** A loopback port nothing listens on (taken from the OS, then released). */
function closedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
