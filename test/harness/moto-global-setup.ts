/**
 * Vitest global setup: one S3 emulator for the whole run. Uses LocalStack (or any endpoint)
 * when `AWS_ENDPOINT_URL` is already set; otherwise starts moto_server on a free loopback port
 * and stops it at the end. Test files read the endpoint with `useAwsEndpoint()` from ./aws.ts,
 * because forked workers do not reliably inherit env set here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureMotoVenv, PROJECT_DIR } from './python-venv.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The S3 endpoint every test talks to (moto or LocalStack). */
    awsEndpoint: string;
    /** `moto` when this setup started moto_server; `external` for an endpoint given in AWS_ENDPOINT_URL (LocalStack). */
    awsEmulator: 'moto' | 'external';
  }
}

/** How long moto may take to answer its first request (cold Python imports take a few s). */
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

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

  const motoServer = await ensureMotoVenv();
  const port = await freeLoopbackPort();
  const logDir = path.join(PROJECT_DIR, '.cache', 'moto');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `moto-${port}.log`);
  const logFd = openSync(logFile, 'w');
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', logFd, logFd],
    cwd: PROJECT_DIR,
  });
  closeSync(logFd); // The child holds its own copy.

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, logFile);
  } catch (error) {
    await stop(child);
    throw error;
  }
  process.env.AWS_ENDPOINT_URL = endpoint;
  project.provide('awsEndpoint', endpoint);
  project.provide('awsEmulator', 'moto');

  return async () => {
    await stop(child);
    if (process.env.AWS_ENDPOINT_URL === endpoint) delete process.env.AWS_ENDPOINT_URL;
    // Keep only the latest run's log (per-port names keep parallel runs apart while they run).
    renameSync(logFile, path.join(logDir, 'moto-last.log'));
  };
}

/** Asks the OS for a free port. Another process could take it before moto binds; unlikely on loopback. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the OS gave'));
      });
    });
  });
}

/** Polls until any HTTP answer arrives; fails fast with the log tail if moto exits. */
async function waitUntilAnswering(endpoint: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exit: string | undefined;
  child.once('exit', (code, signal) => { exit = `exited with ${signal ?? `code ${code}`}`; });
  child.once('error', (error) => { exit = `failed to start: ${error.message}`; });
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`moto_server ${exit}\n${logTail(logFile)}`);
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms\n${logTail(logFile)}`);
}

function logTail(logFile: string): string {
  try {
    return `--- ${logFile} (tail) ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`;
  } catch {
    return `(no log at ${logFile})`;
  }
}

/** SIGTERM, then SIGKILL if moto has not exited in time; resolves once it has exited. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
