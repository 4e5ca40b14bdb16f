/**
 * moto_server on a free loopback port, for whoever needs an S3 (and friends) emulator without
 * vitest: the suite's global setup and `npm run chaos`. Logs go to a file under .cache/moto/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { ensureMotoVenv, PROJECT_DIR } from './python-venv.ts';

/** How long moto may take to answer its first request (cold Python imports take a few s). */
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** A running moto_server. */
export interface MotoServer {
  endpoint: string;
  /** Where its requests and tracebacks are logged. */
  logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited in time; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Creates the venv if needed, starts moto_server and waits until it answers.
 * @example const moto = await startMotoServer(); try { … moto.endpoint … } finally { await moto.stop(); }
 */
export async function startMotoServer(): Promise<MotoServer> {
  const motoServer = await ensureMotoVenv();
  const port = await freeLoopbackPort();
  const logDir = path.join(PROJECT_DIR, '.cache', 'moto');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `moto-${port}.log`);
  const logFd = openSync(logFile, 'w');
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', logFd, logFd], cwd: PROJECT_DIR });
  closeSync(logFd); // The child holds its own copy.

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, logFile);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { endpoint, logFile, stop: () => stop(child) };
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
