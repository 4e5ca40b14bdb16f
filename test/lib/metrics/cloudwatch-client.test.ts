/** createCloudWatchClient and the sink's constructor: configuration only, nothing is sent. */
import { describe, expect, it } from 'vitest';
import { CloudWatchMetricsSink, createCloudWatchClient } from '../../../lib/metrics/index.ts';

describe('createCloudWatchClient', () => {
  it.each<[string, NodeJS.ProcessEnv, string, { hostname: string; port: number } | undefined]>([
    ['no endpoint, default region', {}, 'us-east-1', undefined],
    ['AWS_REGION', { AWS_REGION: 'eu-central-1' }, 'eu-central-1', undefined],
    ['AWS_DEFAULT_REGION', { AWS_DEFAULT_REGION: 'ap-southeast-1' }, 'ap-southeast-1', undefined],
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, 'us-east-1', { hostname: '127.0.0.1', port: 5000 }],
    [
      'AWS_ENDPOINT_URL_CLOUDWATCH over AWS_ENDPOINT_URL',
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_CLOUDWATCH: 'http://localhost:4566' },
      'us-east-1',
      { hostname: 'localhost', port: 4566 },
    ],
  ])('reads %s', async (_label, env, region, endpoint) => {
    const client = createCloudWatchClient(env);

    expect(await client.config.region()).toBe(region);
    if (endpoint === undefined) expect(client.config.endpoint).toBeUndefined();
    else expect(await client.config.endpoint?.()).toMatchObject(endpoint);
  });
});

describe('CloudWatchMetricsSink constructor', () => {
  it.each([
    ['', 'needs a namespace of 1–255 characters, got ""'],
    ['n'.repeat(256), 'needs a namespace of 1–255 characters'],
    ['AWS/EC2', 'is reserved'],
  ])('rejects namespace %j', (namespace, message) => {
    expect(() => new CloudWatchMetricsSink({ namespace })).toThrow(message);
  });
});
