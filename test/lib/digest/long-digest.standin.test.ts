/**
 * A bad day's digest, end to end through grammY and the Telegram stand-in: 45 open alerts (every
 * MarkdownV2 special character in their texts), a stale series, and two daily backtests whose best
 * results drifted. The digest runs past 10,000 characters and must arrive split into messages
 * Telegram accepts, cut between lines, nothing lost, then the photo.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlerts } from '../../../lib/alerts/index.ts';
import { runBacktest } from '../../../lib/backtest/run.ts';
import { storeBacktestRun } from '../../../lib/backtest/store-results.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { runDigest } from '../../../lib/digest/index.ts';
import { freshnessLines } from '../../../lib/digest/freshness.ts';
import { telegramAlertSender } from '../../../lib/notify/telegram-alert-sender.ts';
import { FileObjectStore } from '../../../lib/object-store/index.ts';
import { telegramSenderFromEnv } from '../../../lib/telegram/from-env.ts';
import { randomWalkBars } from '../../harness/bars.ts';
import { capturingLogger } from '../../harness/update-fixture.ts';
import { parseMarkdownV2, startTelegramStandIn } from '../../stand-ins/telegram/index.ts';
import { TELEGRAM_TEST_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_TEST_TOKEN;
const NOW = Date.UTC(2024, 6, 10, 4);
const SPECIALS = '_*[]()~`>#+-=|{}.!\\';

let telegram: Awaited<ReturnType<typeof startTelegramStandIn>>;
beforeAll(async () => {
  telegram = await startTelegramStandIn({ token: TOKEN });
});
afterAll(async () => {
  await telegram.close();
});

describe('freshnessLines', () => {
  it('counts each timeframe by status and names the series that are not OK, worst first', () => {
    const cell = (symbol: string, timeframe: '1h' | '4h', status: 'OK' | 'WARNING' | 'CRITICAL') => ({ symbol, timeframe, status, candles: 10, lastOpenTime: null });
    const lines = freshnessLines([
      cell('BTC/USDT', '1h', 'OK'), cell('ETH/USDT', '1h', 'WARNING'), cell('SOL/USDT', '1h', 'CRITICAL'),
      cell('BTC/USDT', '4h', 'OK'), cell('ETH/USDT', '4h', 'OK'), cell('SOL/USDT', '4h', 'OK'),
    ]);
    expect(lines).toEqual(['1h ✅1 🟠1 🔴1', '4h ✅3', '🔴 SOL 1h · 🟠 ETH 1h']);
  });

  it('names at most 12 and says how many more', () => {
    const cells = Array.from({ length: 15 }, (_, i) => ({ symbol: `C${String(i).padStart(2, '0')}/USDT`, timeframe: '1h' as const, status: 'WARNING' as const, candles: 1, lastOpenTime: null }));
    const lines = freshnessLines(cells);
    expect(lines[0]).toBe('1h 🟠15');
    expect(lines[1]!.split(' · ')).toHaveLength(13);
    expect(lines[1]).toMatch(/· and 3 more$/);
  });
});

describe('a 10,000-character digest on Telegram', () => {
  it('arrives as several accepted messages of at most 4096 characters, cut between lines, nothing lost, then the photo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-long-digest-'));
    const store = new FileObjectStore(join(dir, 'lake'));
    const clock = fixedClock(NOW);
    const logger = capturingLogger();

    // Two daily backtests of the same grid, the second with fees: its best results drift.
    const csv = join(dir, 'BTC-USDT.csv');
    const b = randomWalkBars(600, 11);
    await writeFile(csv, ['timestamp,open,high,low,close,volume', ...Array.from(b.time, (t, i) => `${new Date(t).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`)].join('\n'));
    for (const [runId, feeRate] of [['backtest-2024-07-08', 0], ['backtest-2024-07-09', 0.01]] as const) {
      const run = await runBacktest({ clock, logger }, {
        runId,
        source: { kind: 'file', path: csv },
        strategies: [{ name: 'sma-cross', grid: { fast: [5, 10], slow: [20, 40] } }],
        engine: { cash: 10_000, feeRate, slippageBps: 0, fillAt: 'next-open' },
        workers: 0,
      });
      await storeBacktestRun(store, run);
    }

    // 45 open problems, every MarkdownV2 special character in each text.
    const findings = Array.from({ length: 45 }, (_, i) => ({
      key: `update:series-failed:binance:C${i}/USDT:1h`,
      severity: i % 15 === 0 ? ('CRITICAL' as const) : ('WARNING' as const),
      text: `C${i}/USDT 1h: fetch failed after 5 tries ${SPECIALS} (HTTP 503 from the exchange; the next run retries from the last stored candle, ${'x'.repeat(120)})`,
    }));
    await raiseAlerts({ store, clock, logger }, { job: 'update', runId: 'update-1' }, findings, { job: 'update', clearMissing: false });

    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-1001234', TELEGRAM_API_URL: telegram.url };
    // Telegram's per-chat pace (about one message a second) is the sender's default; the stand-in does not need it.
    const sender = telegramSenderFromEnv(env, logger, { minSendIntervalMs: 20 })!;
    const before = telegram.messages.length;
    const digest = await runDigest({
      store, clock, logger, cacheDir: join(dir, 'cache'),
      sendText: (text) => sender.sendText(text),
      sendPhoto: (png, caption) => sender.sendPhoto(png, caption),
      alertSender: telegramAlertSender(sender),
    });

    const sent = telegram.messages.slice(before);
    // The held-back alerts went first (one message per CRITICAL, the WARNINGs batched — that batch
    // split too), then the digest, then the photo.
    const start = sent.findIndex((m) => m.text.startsWith('🟠 candlelake WARNING'));
    const alerts = sent.slice(0, start);
    const digestParts = sent.slice(start, -1);
    expect(alerts.map((m) => m.text.split('\n')[0]).filter((line) => !line!.startsWith('•'))).toEqual(['🔴 CRITICAL', '🔴 CRITICAL', '🔴 CRITICAL', '🟠 42 WARNINGS']);
    expect(digest.quiet).toBe(false);
    expect(digest.text.length).toBeGreaterThan(10_000);
    expect(digestParts.length).toBeGreaterThanOrEqual(3);
    for (const part of digestParts) {
      expect(part.raw.length).toBeLessThanOrEqual(4096);
      expect(part.parseMode).toBe('MarkdownV2');
    }
    expect(sent.map((m) => m.kind)).toEqual([...sent.slice(0, -1).map(() => 'text'), 'photo']);
    for (const m of alerts) expect(m.raw.length).toBeLessThanOrEqual(4096);

    // Nothing lost, nothing cut inside a line: the parts (each ending at a line break) read as the whole digest.
    const whole = parseMarkdownV2(digest.text);
    expect(whole.ok).toBe(true);
    expect(digestParts.map((m) => m.text).join('')).toBe((whole as { text: string }).text);
    for (const part of digestParts.slice(0, -1)) expect(part.text.endsWith('\n')).toBe(true);
    // 40 alerts listed, the three CRITICALs among them, each whole in exactly one part.
    const listed = findings.filter((f) => digestParts.some((m) => m.text.includes(`• ${f.severity} ${f.text}\n`)));
    expect(listed).toHaveLength(40);
    expect(listed.filter((f) => f.severity === 'CRITICAL')).toHaveLength(3);
    for (const f of listed) expect(digestParts.filter((m) => m.text.includes(f.text))).toHaveLength(1);
    expect(digestParts[digestParts.length - 1]!.text).toContain('… and 5 more');
    // The drift section names the metric and its values, and the token is nowhere.
    const backtest = digestParts.map((m) => m.text).join('\n').split('Backtest\n')[1]!;
    expect(backtest).toMatch(/drift day over day:\n• \S+ \S+ sma-cross \w+ -?[\d.]+ → -?[\d.]+/);
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });
});
