/**
 * `npm run bench -- validate`: seconds to validate a lake of 60 symbols × 4 timeframes × 1 year
 * (about 2.8 million candles). The lake is first filled by the real update job from the Binance
 * stand-in (reported apart, as setup); the timed part is one validate run over it.
 * Options: --symbols N (60), --days D (365).
 */
import { flagValue } from './args.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../lib/clock/index.ts';
import { loadConfig } from '../lib/config/load.ts';
import { DEFAULT_SYMBOLS, TIMEFRAMES } from '../lib/config/universe.ts';
import { createBinanceExchange } from '../lib/exchange/binance.ts';
import { createConsoleLogger } from '../lib/logging/console-logger.ts';
import { FileObjectStore } from '../lib/object-store/file.ts';
import { runUpdate } from '../lib/update/index.ts';
import { runValidate } from '../lib/validate/index.ts';
import { startBinanceStandIn } from '../test/stand-ins/binance/index.ts';

export async function benchValidate(options: { symbols: number; days: number }) {
  const standIn = await startBinanceStandIn();
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-bench-validate-'));
  try {
    const clock = fixedClock(Date.UTC(2024, 5, 10, 0, 31));
    standIn.setNow(() => clock.nowMs());
    const config = loadConfig({
      env: {},
      overrides: {
        lake: `file://${dir}`,
        cacheDir: join(dir, '.cache'),
        exchange: { baseUrl: standIn.url, rateLimitShare: 1 },
        universe: { symbols: DEFAULT_SYMBOLS.slice(0, options.symbols), timeframes: [...TIMEFRAMES] },
        update: { initialLookbackDays: options.days },
        features: { enabled: false },
      },
    });
    const logger = createConsoleLogger({ level: 'warn' });
    const store = new FileObjectStore(dir);
    const setupStarted = performance.now();
    const update = await runUpdate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock, logger, config }, { trigger: 'bench' });
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    clock.set(Date.UTC(2024, 5, 10, 1, 0));
    const runs: number[] = [];
    let last;
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      last = await runValidate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock, logger, config }, { trigger: 'bench' });
      runs.push((performance.now() - started) / 1000);
    }
    return {
      bench: 'validate',
      lake: { symbols: options.symbols, timeframes: TIMEFRAMES, days: options.days, candles: last!.counts.candles, objects: last!.counts.objects },
      setup: { update: update.outcome, seconds: Math.round(setupSeconds * 100) / 100 },
      validateSeconds: runs.map((s) => Math.round(s * 1000) / 1000),
      bestSeconds: Math.round(Math.min(...runs) * 1000) / 1000,
      lastRunTimings: last!.timings,
      status: last!.status,
      findings: last!.findings.length,
      aimSeconds: 2,
    };
  } finally {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseValidateBenchArgs(args: string[]) {
  const value = (flag: string) => flagValue(args, flag);
  return { symbols: Number(value('--symbols') ?? 60), days: Number(value('--days') ?? 365) };
}
