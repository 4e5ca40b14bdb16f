/**
 * The setting the SIGKILL scenarios share: an s3:// lake (and a backup bucket) on moto behind the
 * fault proxy, the Binance stand-in, a config file, and the `candlelake` CLI run in child
 * processes exactly as an operator or the daemon runs it. The proxy is also the kill switch: a
 * `hang` rule holds the chosen write (its body in flight) and SIGKILLs the child at that moment.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBinanceStandIn, type BinanceStandIn } from '../../lib/replay-exchange/binance/index.ts';
import { startCliProcess as startCli, type CliExit } from '../../test/harness/cli-process.ts';
import { countingS3Client, createS3Lake, type S3Lake } from './s3-lake.ts';
import { startS3FaultProxy, type S3FaultProxy, type S3FaultRule } from './s3-fault-proxy.ts';
import type { ChaosContext } from './types.ts';

export interface CrashEnv {
  proxy: S3FaultProxy;
  standIn: BinanceStandIn;
  lake: S3Lake;
  backup: S3Lake;
  cacheDir: string;
  /** Runs `candlelake <args>` to the end (no fault). */
  cli(args: string[]): Promise<CliExit>;
  /**
   * Runs `candlelake <args>` and SIGKILLs it when `rule` matches a request (the request is held,
   * never forwarded). Resolves with the exit and the kill time; throws when the run ended first.
   */
  cliKilledAt(args: string[], rule: Omit<S3FaultRule, 'action' | 'onInject'>): Promise<{ exit: CliExit; killedAtMs: number; path: string }>;
  close(): Promise<void>;
}

/** One series at a time: the writes follow one another, so a kill point lands inside one of them. */
export const CRASH_CONFIG = {
  exchange: { rateLimitShare: 1, retryBaseMs: 20, timeoutMs: 3_000 },
  universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['15m', '1h'] },
  update: { concurrency: 1, leaseTtlMs: 600_000, initialLookbackDays: 5 },
  features: { enabled: false },
};

export async function openCrashEnv(ctx: ChaosContext): Promise<CrashEnv> {
  const proxy = await startS3FaultProxy({ target: ctx.awsEndpoint });
  const standIn = await startBinanceStandIn(); // real time: the CLI runs on the system clock
  const { client } = countingS3Client(proxy.url);
  const { client: direct } = countingS3Client(ctx.awsEndpoint);
  const lake = await createS3Lake('lake', client, direct);
  const backup = await createS3Lake('backup', client, direct);
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-chaos-crash-'));
  const configPath = join(dir, 'candlelake.config.json');
  await writeFile(configPath, JSON.stringify(CRASH_CONFIG));
  const cacheDir = join(dir, 'cache');
  const env = {
    CANDLELAKE_CONFIG: configPath, CANDLELAKE_LAKE: lake.url, CANDLELAKE_BACKUP: backup.url, CANDLELAKE_CACHE_DIR: cacheDir,
    CANDLELAKE_BINANCE_URL: standIn.url, CANDLELAKE_LOG_LEVEL: 'warn', AWS_ENDPOINT_URL: proxy.url, AWS_ENDPOINT_URL_S3: proxy.url,
    NODE_NO_WARNINGS: '1', TELEGRAM_BOT_TOKEN: '', TELEGRAM_CHAT_ID: '',
  };
  return {
    proxy, standIn, lake, backup, cacheDir,
    cli: (args) => startCli(['--json', ...args], env).done,
    async cliKilledAt(args, rule) {
      const run = startCli(['--json', ...args], env);
      let killedAtMs = 0;
      let path = '';
      const handle = proxy.add({
        ...rule,
        times: 1,
        action: { type: 'hang' },
        onInject: (request) => {
          killedAtMs = Date.now();
          path = request.path;
          run.child.kill('SIGKILL');
        },
      });
      const exit = await run.done;
      handle.remove();
      if (exit.signal !== 'SIGKILL') throw new Error(`candlelake ${args.join(' ')} ended (${exit.code}) before the kill point ${rule.name ?? ''}: ${exit.stderr.slice(-500)}`);
      return { exit, killedAtMs, path };
    },
    async close() {
      await standIn.close();
      await proxy.close();
    },
  };
}
