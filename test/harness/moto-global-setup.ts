/**
 * Vitest global setup: one S3 emulator for the whole run. Uses LocalStack (or any endpoint)
 * when `AWS_ENDPOINT_URL` is already set; otherwise starts moto_server on a free loopback port
 * and stops it at the end. Test files read the endpoint with `useAwsEndpoint()` from ./aws.ts,
 * because forked workers do not reliably inherit env set here.
 */
import { renameSync } from 'node:fs';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMotoServer } from './moto-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The S3 endpoint every test talks to (moto or LocalStack). */
    awsEndpoint: string;
    /** `moto` when this setup started moto_server; `external` for an endpoint given in AWS_ENDPOINT_URL (LocalStack). */
    awsEmulator: 'moto' | 'external';
  }
}

/**
 * Starts moto (unless an endpoint is configured), provides `awsEndpoint`, returns the teardown.
 *
 * @example
 * // vitest.config.ts
 * test: { globalSetup: ['test/harness/moto-global-setup.ts'] }
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';

  const configured = process.env.AWS_ENDPOINT_URL;
  if (configured) {
    project.provide('awsEndpoint', configured);
    project.provide('awsEmulator', 'external');
    return async () => {};
  }

  const moto = await startMotoServer();
  const { endpoint } = moto;
  process.env.AWS_ENDPOINT_URL = endpoint;
  project.provide('awsEndpoint', endpoint);
  project.provide('awsEmulator', 'moto');

  return async () => {
    await moto.stop();
    if (process.env.AWS_ENDPOINT_URL === endpoint) delete process.env.AWS_ENDPOINT_URL;
    // Keep only the latest run's log (per-port names keep parallel runs apart while they run).
    renameSync(moto.logFile, path.join(path.dirname(moto.logFile), 'moto-last.log'));
  };
}
