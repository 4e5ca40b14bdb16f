/** metricsSinkFromEnv: CloudWatch when asked for, log lines otherwise, loud on a typo. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import type { JobLogger } from '../../../lib/logging/types.ts';
import {
  CloudWatchMetricsSink,
  DEFAULT_METRICS_NAMESPACE,
  LogMetricsSink,
  metricsSinkFromEnv,
} from '../../../lib/metrics/index.ts';

const silentLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('metricsSinkFromEnv', () => {
  it.each<[string, NodeJS.ProcessEnv]>([
    ['unset', {}],
    ['empty', { CANDLELAKE_METRICS: '' }],
    ['log', { CANDLELAKE_METRICS: 'log' }],
    ['log with a namespace (ignored)', { CANDLELAKE_METRICS: 'log', CANDLELAKE_METRICS_NAMESPACE: 'x' }],
  ])('gives the log sink when CANDLELAKE_METRICS is %s', (_label, env) => {
    expect(metricsSinkFromEnv(env, silentLogger)).toBeInstanceOf(LogMetricsSink);
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['the default namespace', { CANDLELAKE_METRICS: 'cloudwatch' }, DEFAULT_METRICS_NAMESPACE],
    ['an empty namespace (default)', { CANDLELAKE_METRICS: 'cloudwatch', CANDLELAKE_METRICS_NAMESPACE: '' }, 'candlelake'],
    ['a given namespace', { CANDLELAKE_METRICS: 'cloudwatch', CANDLELAKE_METRICS_NAMESPACE: 'candlelake-dev' }, 'candlelake-dev'],
    ['any case and spacing', { CANDLELAKE_METRICS: ' CloudWatch ' }, 'candlelake'],
  ])('gives CloudWatch with %s', (_label, env, namespace) => {
    const sink = metricsSinkFromEnv(env, silentLogger);

    expect(sink).toBeInstanceOf(CloudWatchMetricsSink);
    expect((sink as CloudWatchMetricsSink).namespace).toBe(namespace);
  });

  it('builds the CloudWatch client from the same env', async () => {
    const env = { CANDLELAKE_METRICS: 'cloudwatch', AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:4566', AWS_REGION: 'eu-west-1' };
    const sink = metricsSinkFromEnv(env, silentLogger) as CloudWatchMetricsSink;

    // The client is private; reach it the way the sink does.
    const client = (sink as unknown as { client: CloudWatchClient }).client;
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4566 });
  });

  it.each(['cloudwach', 'yes', 'aws'])('rejects CANDLELAKE_METRICS=%s', (value) => {
    expect(() => metricsSinkFromEnv({ CANDLELAKE_METRICS: value }, silentLogger)).toThrow(
      `CANDLELAKE_METRICS must be "cloudwatch", "log" or unset, got "${value}"`,
    );
  });

  it('rejects a reserved namespace', () => {
    expect(() =>
      metricsSinkFromEnv({ CANDLELAKE_METRICS: 'cloudwatch', CANDLELAKE_METRICS_NAMESPACE: 'AWS/Lambda' }, silentLogger),
    ).toThrow('CloudWatch namespace "AWS/Lambda" is reserved');
  });
});
