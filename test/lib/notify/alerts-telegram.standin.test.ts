/**
 * Alerts end to end through the real CLI, the real grammY client and the Telegram stand-in:
 * a normal day sends no alert, a planted CRITICAL sends exactly one message and, once it clears,
 * exactly one "resolved" message; the bot token never appears in any output.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { startTelegramStandIn } from '../../stand-ins/telegram/index.ts';
import { runCli } from '../../harness/cli.ts';
import { TELEGRAM_TEST_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_TEST_TOKEN;
let binance: BinanceStandIn;
let telegram: Awaited<ReturnType<typeof startTelegramStandIn>>;
let env: Record<string, string>;

beforeAll(async () => {
  binance = await startBinanceStandIn();
  telegram = await startTelegramStandIn({ token: TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-alerts-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 10 }, features: { enabled: false } }));
  env = {
    CANDLELAKE_LAKE: `file://${join(dir, 'lake')}`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: binance.url,
    CANDLELAKE_CONFIG: config, CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1h,4h', CANDLELAKE_LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-1001234', TELEGRAM_API_URL: telegram.url,
  };
});
afterAll(async () => {
  await binance.close();
  await telegram.close();
});

describe('alerts on Telegram', () => {
  it('normal runs send nothing; a planted CRITICAL sends one alert, repeats are suppressed, clearing sends one resolved message', async () => {
    const outputs: string[] = [];
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const exit = await runCli(args, { ...env, ...extra });
      outputs.push(exit.stdout, exit.stderr);
      return exit;
    };
    expect((await run(['update'])).code).toBe(0);
    expect((await run(['validate'])).code).toBe(0);
    expect(telegram.messages).toEqual([]);

    // Planted: a configured symbol the lake does not have → CRITICAL missing-series, twice.
    const withSol = { CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT,SOL/USDT' };
    expect((await run(['validate'], withSol)).code).toBe(2);
    expect((await run(['validate'], withSol)).code).toBe(2);
    expect(telegram.messages.map((m) => m.text.split('\n')[0])).toEqual(['🔴 CRITICAL', '🔴 CRITICAL']);
    // One message per problem: SOL/USDT is missing on 1h and on 4h (two keys), each sent once, not again on the repeat.
    expect(telegram.messages.map((m) => m.text)).toEqual([
      expect.stringContaining('SOL/USDT'), expect.stringContaining('SOL/USDT'),
    ]);
    expect(new Set(telegram.messages.map((m) => m.text)).size).toBe(2);

    // Cleared: back to the two symbols the lake has.
    expect((await run(['validate'])).code).toBe(0);
    const resolved = telegram.messages.slice(2);
    expect(resolved.map((m) => m.text.split('\n')[0])).toEqual(['✅ RESOLVED', '✅ RESOLVED']);
    expect((await run(['validate'])).code).toBe(0);
    expect(telegram.messages).toHaveLength(4);

    for (const text of outputs) expect(text).not.toContain(TOKEN);
  });
});

describe('the digest on Telegram', () => {
  it('an ordinary day: one "all quiet" line; with a problem: sections a phone can read, MarkdownV2 accepted', async () => {
    const before = telegram.messages.length;
    expect((await runCli(['update'], env)).code).toBe(0);
    expect((await runCli(['validate'], env)).code).toBe(0);
    expect((await runCli(['backtest-task'], { ...env, CANDLELAKE_LOG_LEVEL: 'error' })).code).toBe(0);
    const quiet = await runCli(['digest'], env);
    expect(quiet.code).toBe(0);
    // A normal day: exactly one message — the equity curve with the one-line digest as its caption.
    const sent = telegram.messages.slice(before);
    expect(sent.map((m) => m.kind)).toEqual(['photo']);
    expect(sent[0]!.text.split('\n')).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^✅ candlelake: all quiet — 3 jobs on time, data fresh/);
    expect(Buffer.from(sent[0]!.photo!.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');

    // A problem: a configured symbol missing from the lake (CRITICAL), so the digest is a report.
    expect((await runCli(['validate'], { ...env, CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT,SOL/USDT' })).code).toBe(2);
    const n = telegram.messages.length;
    expect((await runCli(['digest'], env)).code).toBe(0);
    // A longer digest: the photo carries it if it fits a caption, else text then photo.
    const added = telegram.messages.slice(n);
    expect(added.length === 1 ? added[0]!.kind : added.map((m) => m.kind).join()).toMatch(/^(photo|text,photo)$/);
    const digest = added[0]!;
    expect(digest.text).toMatch(/^🔴 candlelake CRITICAL/);
    for (const section of ['Jobs', 'Data', 'Alerts']) expect(digest.text).toContain(`\n${section}`);
    expect(digest.text).toMatch(/• update succeeded, [\d.]+ h ago · /);
    expect(digest.text).toContain('CRITICAL SOL/USDT');
    expect(digest.text.length).toBeLessThan(4096);
  });
});
