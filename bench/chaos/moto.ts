/**
 * The S3 emulator for a chaos run outside vitest: the endpoint already configured
 * (`AWS_ENDPOINT_URL`, e.g. LocalStack), or a moto_server of our own on a free loopback port,
 * stopped at the end. Inside vitest the global setup's moto is used instead (see test/bench).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ensureMotoVenv, PROJECT_DIR } from '../../test/harness/python-venv.ts';

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface S3Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * @example
 * const moto = await startS3Emulator();
 * try { ... moto.endpoint ... } finally { await moto.stop(); }
 */
export async function startS3Emulator(env: NodeJS.ProcessEnv = process.env): Promise<S3Emulator> {
  if (env.AWS_ENDPOINT_URL) return { endpoint: env.AWS_ENDPOINT_URL, stop: async () => {} };
  const motoServer = await ensureMotoVenv();
  const port = await freeLoopbackPort();
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], cwd: PROJECT_DIR });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4_000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, () => log);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { endpoint, stop: () => stop(child) };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited with ${signal ?? `code ${code}`}`));
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`moto_server ${exit}\n${log()}`);
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms\n${log()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
