/**
 * The `candlelake` command line as a person uses it: help on every subcommand, `--json`,
 * `query`, `once` against the Binance stand-in, and the one-line failures (no route to the
 * exchange, bad configuration).
 */
import { createServer } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { runCli } from '../../harness/cli.ts';

let standIn: BinanceStandIn;
let configPath: string;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
  configPath = join(await mkdtemp(join(tmpdir(), 'candlelake-cli-')), 'config.json');
  await writeFile(configPath, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10, timeoutMs: 2_000 }, update: { initialLookbackDays: 5 } }));
});
afterAll(async () => {
  await standIn.close();
});

/** A loopback port with nothing listening: the "no route" case without touching the internet. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

describe('candlelake --help', () => {
  it.each([
    [[], ['update', 'query', 'lake', 'once', '--lake', '--json']],
    [['update'], ['--since', '--symbols', '--timeframes']],
    [['query'], ['<sql>', 'ohlcv']],
    [['lake'], ['summarize']],
    [['once'], ['--since', 'then show what the lake holds']],
  ])('candlelake %j --help', async (sub, expected) => {
    const exit = await runCli([...sub, '--help']);
    expect(exit.code).toBe(0);
    for (const text of expected) expect(exit.stdout).toContain(text);
  });
});

describe('candlelake against the stand-in', () => {
  it('once: updates, then shows what the lake holds; query --json reads it back', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'candlelake-once-'));
    const env = { CANDLELAKE_LAKE: `file://${lake}`, CANDLELAKE_BINANCE_URL: standIn.url, CANDLELAKE_LOG_LEVEL: 'warn' };
    const once = await runCli(['--config', configPath, 'once', '--symbols', 'BTC/USDT,SOL/USDT', '--timeframes', '4h,1d'], env);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^update update-\d{8}T\d{6}Z-\w+: succeeded: 4\/4 series updated, \d+ candles written, 0 failures/);
    expect(once.stdout).toMatch(/4h\s+2 symbols\s+\d+ candles/);
    expect(once.stdout).toMatch(/1d\s+2 symbols\s+(8|10) candles/);

    const query = await runCli(
      ['--config', configPath, '--json', 'query', "SELECT symbol, timeframe, count(*)::INTEGER AS n FROM ohlcv GROUP BY ALL ORDER BY ALL"],
      env,
    );
    expect(query.code).toBe(0);
    const rows = JSON.parse(query.stdout) as Array<{ symbol: string; timeframe: string; n: number }>;
    expect(rows.map((r) => `${r.symbol} ${r.timeframe}`)).toEqual(['BTC/USDT 1d', 'BTC/USDT 4h', 'SOL/USDT 1d', 'SOL/USDT 4h']);
    expect(rows.every((r) => r.n === rows.find((x) => x.timeframe === r.timeframe)!.n)).toBe(true);

    const lakeJson = await runCli(['--json', 'lake'], env);
    const summary = JSON.parse(lakeJson.stdout) as { ohlcv: Array<{ timeframe: string; symbols: number }>; bytesPerCandle: number };
    expect(summary.ohlcv.map((t) => [t.timeframe, t.symbols])).toEqual([['4h', 2], ['1d', 2]]);
    expect(summary.bytesPerCandle).toBeGreaterThan(0);
  });

  it('a bad SQL query is one line on stderr and exit 1', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'candlelake-q-'));
    const exit = await runCli(['query', 'SELECT nope FROM ohlcv'], { CANDLELAKE_LAKE: `file://${lake}` });
    expect(exit.code).toBe(1);
    expect(exit.stderr.trim().split('\n')).toHaveLength(1);
    expect(exit.stderr).toMatch(/^candlelake: .*nope/);
  });
});

describe('one clear line when things are wrong', () => {
  it('no route to Binance: says so, names CANDLELAKE_BINANCE_URL, no stack trace, exit 1', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'candlelake-noroute-'));
    const url = `http://127.0.0.1:${await closedPort()}`;
    const exit = await runCli(['--config', configPath, '--log-level', 'silent', 'once'], { CANDLELAKE_LAKE: `file://${lake}`, CANDLELAKE_BINANCE_URL: url });
    expect(exit.code).toBe(1);
    const lines = exit.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`failed: Cannot reach Binance at ${url} .*Set CANDLELAKE_BINANCE_URL=http://host:port`));
    expect(exit.stdout + exit.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['update', '--timeframes', '1h,2h'], {}, /universe\.timeframes\.1: .*\(from --timeframes\)/],
    [['update'], { CANDLELAKE_SYMBOLS: 'BTCUSDT' }, /universe\.symbols\.0: expected a unified symbol like BTC\/USDT \(from CANDLELAKE_SYMBOLS\)/],
    [['update', '--since', 'yesterday'], {}, /--since: "yesterday" is not a time/],
    [['--lake', 'ftp://x', 'lake'], {}, /lake: unsupported store URL.*\(from --lake\)/],
  ])('%j %j -> exit 2 with one line', async (args, env, pattern) => {
    const lake = await mkdtemp(join(tmpdir(), 'candlelake-bad-'));
    const exit = await runCli(args, { CANDLELAKE_LAKE: `file://${lake}`, CANDLELAKE_BINANCE_URL: standIn.url, ...env });
    expect(exit.stderr.trim().split('\n')).toHaveLength(1);
    expect(exit.stderr).toMatch(pattern);
    expect(exit.code).toBe(2);
  });
});
