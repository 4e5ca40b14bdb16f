/**
 * The S3 emulator for a chaos run outside vitest: the endpoint already configured
 * (`AWS_ENDPOINT_URL`, e.g. LocalStack), or a moto_server of our own on a free loopback port,
 * stopped at the end. Inside vitest the global setup's moto is used instead (see test/bench).
 */
import { startMotoServer } from '../../test/harness/moto-server.ts';

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
  const moto = await startMotoServer();
  return { endpoint: moto.endpoint, stop: moto.stop };
}
