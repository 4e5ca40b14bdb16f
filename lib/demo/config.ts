/**
 * The demo's configuration: a lake, a backup store and a cache under the demo folder, the
 * exchange and fear & greed pointed at the replay exchange, a small universe, and a backtest
 * window matching the history. Written to `<dir>/candlelake.config.json` so every later command
 * (`validate`, `query`, `dashboard`, the backtest child) sees the same settings.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigInput } from '../config/schema.ts';
import { timeframeMs } from '../candles/timeframe.ts';
import { DEFAULT_SYMBOLS, TIMEFRAMES, type Timeframe } from '../config/universe.ts';

/** Backtest timeframes need at least this many bars in the window to be worth a grid. */
const MIN_BACKTEST_BARS = 100;

/** The demo folder's layout. */
export interface DemoLayout {
  dir: string;
  configFile: string;
  lakeUrl: string;
  backupUrl: string;
  cacheDir: string;
  reportDir: string;
}

/**
 * Absolute paths and URLs under the demo folder.
 * @example demoLayout('./demo').lakeUrl // 'file:///…/demo/lake'
 */
export function demoLayout(dir: string): DemoLayout {
  const root = resolve(dir);
  return {
    dir: root,
    configFile: join(root, 'candlelake.config.json'),
    lakeUrl: pathToFileURL(join(root, 'lake')).href,
    backupUrl: pathToFileURL(join(root, 'backup')).href,
    cacheDir: join(root, '.cache'),
    reportDir: join(root, 'report'),
  };
}

/**
 * The first `count` symbols of the default universe.
 * @example demoSymbols(2) // ['BTC/USDT', 'ETH/USDT']
 */
export function demoSymbols(count: number): string[] {
  return DEFAULT_SYMBOLS.slice(0, count);
}

/**
 * The demo's configuration input.
 * @example demoConfig(demoLayout('./demo'), { binanceUrl, fearGreedUrl }, { symbols: 10, days: 365 })
 */
export function demoConfig(layout: DemoLayout, urls: { binanceUrl: string; fearGreedUrl: string }, size: { symbols: number; days: number }): ConfigInput {
  const backtestTimeframes = (['1h', '4h', '1d'] as const).filter((tf: Timeframe) => (size.days * 86_400_000) / timeframeMs(tf) >= MIN_BACKTEST_BARS);
  return {
    lake: layout.lakeUrl,
    cacheDir: layout.cacheDir,
    // Loopback replay: the whole (local) budget is ours; quick retries.
    exchange: { baseUrl: urls.binanceUrl, rateLimitShare: 1, weightLimitPerMinute: 1_000_000, retryBaseMs: 100, maxTries: 3 },
    universe: { symbols: demoSymbols(size.symbols), timeframes: [...TIMEFRAMES] },
    update: { initialLookbackDays: size.days, concurrency: 4 },
    backtest: {
      windowDays: Math.max(7, size.days),
      timeframes: backtestTimeframes.length > 0 ? backtestTimeframes : ['1h'],
      heartbeatMs: 5_000,
    },
    backup: { url: layout.backupUrl },
    sentiment: { fearGreedUrl: urls.fearGreedUrl, fundingLookbackDays: size.days },
  };
}

/** Writes the configuration where `CANDLELAKE_CONFIG` will point. */
export async function writeDemoConfig(layout: DemoLayout, config: ConfigInput): Promise<void> {
  await writeFile(layout.configFile, `${JSON.stringify(config, null, 2)}\n`);
}
