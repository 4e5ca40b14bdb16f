/**
 * `candlelake validate` as a person runs it: the table, `--json`, and the exit code by severity
 * (0 OK, 1 WARNING, 2 CRITICAL), against a lake the real `candlelake update` filled from the stand-in.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { runCli } from '../../harness/cli.ts';

let standIn: BinanceStandIn;
let env: Record<string, string>;
beforeAll(async () => {
  standIn = await startBinanceStandIn(); // real time: the CLI runs on the system clock
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-vcli-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 20 }, features: { enabled: false } }));
  env = {
    CANDLELAKE_LAKE: `file://${join(dir, 'lake')}`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: standIn.url,
    CANDLELAKE_CONFIG: config, CANDLELAKE_LOG_LEVEL: 'error', CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1h,4h',
  };
  const update = await runCli(['update'], env);
  expect(update.code).toBe(0);
});
afterAll(async () => {
  await standIn.close();
});

describe('candlelake validate', () => {
  it('a fresh lake: a table of OK cells, coverage lines, exit 0; --json is the report', async () => {
    const text = await runCli(['validate'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\s+1h\s+4h\nBTC\/USDT\s+·\s+·\nETH\/USDT\s+·\s+·\n/);
    expect(text.stdout).toContain('2/2 symbols on 1h');
    expect(text.stdout).toMatch(/OK: 4 series, \d+ candles, 0 findings/);

    const json = await runCli(['--json', 'validate'], env);
    const report = JSON.parse(json.stdout) as { status: string; cells: Array<{ symbol: string; timeframe: string; status: string }> };
    expect(report.status).toBe('OK');
    expect(report.cells.map((c) => `${c.symbol} ${c.timeframe} ${c.status}`)).toEqual(['BTC/USDT 1h OK', 'BTC/USDT 4h OK', 'ETH/USDT 1h OK', 'ETH/USDT 4h OK']);
  });

  it('a symbol missing from the lake: CRITICAL cells and exit 2', async () => {
    const exit = await runCli(['validate', '--symbols', 'BTC/USDT,ETH/USDT,SOL/USDT'], env);
    expect(exit.code).toBe(2);
    expect(exit.stdout).toMatch(/SOL\/USDT\s+C\s+C/);
    expect(exit.stdout).toContain('2/3 symbols on 1h');
    expect(exit.stdout).toMatch(/^CRITICAL: /m);
  });

  it('--help names the universe flags and --no-repair', async () => {
    const exit = await runCli(['validate', '--help']);
    expect(exit.code).toBe(0);
    for (const flag of ['--symbols', '--timeframes', '--no-repair']) expect(exit.stdout).toContain(flag);
  });
});
