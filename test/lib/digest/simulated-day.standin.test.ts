/**
 * A whole simulated day, in process, on one clock: update (with an ingestion gap planted), validate
 * (which repairs it), sentiment, the daily backtest, then the 04:00 digest — whose content is
 * checked against what the lake holds.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAlertSender } from '../../../lib/alerts/index.ts';
import { runDailyBacktest, TASK_EXIT } from '../../../lib/backtest-task/index.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { runDigest } from '../../../lib/digest/index.ts';
import { createBinanceExchange } from '../../../lib/exchange/binance.ts';
import { ohlcvListParts } from '../../../lib/lake/ohlcv-store.ts';
import { openLakeQuery } from '../../../lib/lake/query.ts';
import { publishJobFindings } from '../../../lib/notify/job-alerts.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { createSentimentDeps } from '../../../lib/sentiment/create-deps.ts';
import { runSentiment } from '../../../lib/sentiment/index.ts';
import { runValidate } from '../../../lib/validate/index.ts';
import { startAlternativeMeStandIn } from '../../stand-ins/alternative-me/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { capturingLogger, testConfig, updateHarness } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const D = Date.UTC(2024, 6, 10);
const SETUP = {
  universe: { symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['1h' as const, '4h' as const] },
  update: { initialLookbackDays: 20 },
  features: { enabled: false },
  backtest: { timeframes: ['1h' as const, '4h' as const], windowDays: 15, workers: 0, strategies: [{ name: 'sma-cross', grid: 'fast=5..15:5,slow=20..40:10' }] },
};

let standIn: BinanceStandIn;
let fearGreed: Awaited<ReturnType<typeof startAlternativeMeStandIn>>;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
  fearGreed = await startAlternativeMeStandIn({ now: () => D + 2 * H });
});
afterAll(async () => {
  await standIn.close();
  await fearGreed.close();
});

describe('a simulated day', () => {
  it('update → validate repairs a planted gap → backtest → the digest says all quiet and names the lake\'s best result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-day-'));
    const store = new FileObjectStore(dir);
    const url = `file://${dir}`;
    const cacheDir = join(dir, '.cache');
    const logger = capturingLogger();

    // Yesterday's runs, then today's 00:30 update; the middle run's ETH 1h part goes missing (the planted gap).
    const h = updateHarness(store, url, standIn, D - 24 * H + 31 * 60_000);
    await h.run({}, SETUP);
    h.clock.set(D - 21 * H + 31 * 60_000);
    await h.run({}, SETUP);
    h.clock.set(D + 31 * 60_000);
    const update = await h.run({}, SETUP);
    expect(update.outcome).toBe('succeeded');
    const parts = await ohlcvListParts(store, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    await store.delete(parts[1]!.key);

    // 01:00 validate: the gap is re-fetched; its findings become alerts like the doors do.
    const config = testConfig(standIn, url, { ...SETUP, cacheDir });
    const validateClock = fixedClock(D + H);
    standIn.setNow(() => validateClock.nowMs());
    const report = await runValidate({ store, exchange: createBinanceExchange({ ...config.exchange }), clock: validateClock, logger, config }, { trigger: 'schedule' });
    expect(report.status).toBe('OK');
    expect(report.findings.map((f) => [f.kind, f.symbol, f.timeframe])).toEqual([['repaired', 'ETH/USDT', '1h']]);
    await publishJobFindings({ store, clock: validateClock, logger, sender: consoleAlertSender(logger) }, 'validate', report.runId, report.findings);

    // 02:00 sentiment (no FRED key: macro skipped, said once).
    const sentimentClock = fixedClock(D + 2 * H);
    standIn.setNow(() => sentimentClock.nowMs());
    const sentimentConfig = { ...config, sentiment: { ...config.sentiment, fearGreedUrl: fearGreed.url, fundingLookbackDays: 3 } };
    const sentiment = await runSentiment({ ...createSentimentDeps(sentimentConfig, logger, sentimentClock), store }, { trigger: 'schedule' });
    expect(sentiment).toMatchObject({ outcome: 'succeeded', notes: ['macro series skipped: FRED_API_KEY is not set'] });

    // The daily backtest (yesterday 23:30's run, finishing in the small hours).
    const backtest = await runDailyBacktest({ store, clock: fixedClock(D + 2 * H), logger, config, taskId: 'pid:sim' }, { shard: { index: 0, count: 1 } });
    expect(backtest).toMatchObject({ exitCode: TASK_EXIT.done, runId: 'backtest-2024-07-09', unitsTotal: 4, unitsDone: 4 });

    // 04:00 digest.
    const sent: Array<{ kind: string; text: string; bytes: number }> = [];
    const digest = await runDigest({
      store, clock: fixedClock(D + 4 * H), logger, cacheDir, alertSender: consoleAlertSender(logger),
      sendText: async (text) => sent.push({ kind: 'text', text, bytes: 0 }),
      sendPhoto: async (png, caption) => sent.push({ kind: 'photo', text: caption, bytes: png.length }),
    });
    expect(digest.quiet).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe('photo');
    expect(sent[0]!.bytes).toBeGreaterThan(1_000);

    // The best result the digest names is the lake's.
    const lake = await openLakeQuery(store, cacheDir);
    try {
      const [best] = await lake.rows(
        "SELECT symbol, timeframe, strategy, round(total_return_pct, 1) AS ret, round(sharpe, 2) AS sharpe FROM backtest_runs WHERE is_best AND run_id = 'backtest-2024-07-09' ORDER BY sharpe DESC LIMIT 1",
      );
      const expected = `${best!['symbol']} ${best!['timeframe']} ${best!['strategy']}: ${best!['ret']}% (Sharpe ${best!['sharpe']})`;
      const plain = sent[0]!.text.replace(/\\(.)/g, '$1');
      expect(plain).toBe(`✅ candlelake: all quiet — 4 jobs on time, data fresh · best: ${expected}`);
    } finally {
      lake.close();
    }
  });
});
