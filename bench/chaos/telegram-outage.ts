/**
 * Group 5: Telegram is down while jobs raise alerts, then comes back. The alerts come from a real
 * update run (the exchange answers 451: a CRITICAL region-blocked finding and a WARNING for the
 * failed series) and from two more job doors, published as the CLI publishes them
 * (`publishJobFindings`: stored in the lake first, then delivered) through the real grammY sender
 * to the Telegram stand-in: first a 502 outage, then connections closed, then a 429 burst when it
 * is back. The digest's delivery pass (`deliverAlerts` with `flush`) then runs. Loss: every alert
 * key in the lake must appear in exactly one message the stand-in accepted.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliverAlerts, openAlerts, type AlertSender, type DeliverySummary } from '../../lib/alerts/index.ts';
import { publishJobFindings, type JobFinding } from '../../lib/notify/job-alerts.ts';
import { telegramAlertSender } from '../../lib/notify/telegram-alert-sender.ts';
import { updateAlertFindings } from '../../lib/notify/update-findings.ts';
import { FileObjectStore } from '../../lib/object-store/file.ts';
import { startBinanceStandIn } from '../../lib/replay-exchange/binance/index.ts';
import { createTelegramSender } from '../../lib/telegram/client.ts';
import { startTelegramStandIn } from '../../test/stand-ins/telegram/index.ts';
import type { Scenario, ScenarioOutcome } from './types.ts';
import { keepingLogger, updateRunner } from './update-harness.ts';

const TOKEN = '123456:CHAOS-token-abcdefghijklmnopqrstuvwxyz';
/**
 * A private chat: a group chat id (negative) also works, but grammY's throttler then counts the
 * outage's failed attempts against the group's 20-per-minute reservoir and the first message after
 * the outage waits up to a minute for it to refill (measured: 59 s), which would dominate the run.
 */
const CHAT = '424242';

/** Findings two other doors (validate, backup) publish while Telegram is still down. */
const VALIDATE_FINDINGS: JobFinding[] = [
  { key: 'validate:stale:binance:ETH/USDT:15m', severity: 'CRITICAL', text: 'ETH/USDT 15m is 9 candles behind' },
  { key: 'validate:gap:binance:BTC/USDT:1h:2024-06-09T10:00', severity: 'WARNING', text: 'BTC/USDT 1h: 3 candles missing from 2024-06-09 10:00' },
];
const BACKUP_FINDINGS: JobFinding[] = [{ key: 'backup:failed', severity: 'CRITICAL', text: 'weekly backup failed: SlowDown' }];

export const telegramScenario: Scenario = {
  id: 'telegram-outage',
  group: '5 Telegram',
  title: 'Telegram outage (502, then socket closed), then 429',
  description:
    'While the Telegram stand-in answers 502 (a proxy in front of a down API) and then closes every connection, an update run whose exchange answers 451 (a CRITICAL and a WARNING) and the validate and backup doors raise 5 alerts (3 CRITICAL, 2 WARNING); every send fails after the sender\'s bounded retries and the alerts stay pending in the lake. Telegram comes back with one 429 `retry_after`; the digest\'s delivery pass must send each alert exactly once.',
  run: async (): Promise<ScenarioOutcome> => {
    const telegram = await startTelegramStandIn({ token: TOKEN });
    const binance = await startBinanceStandIn();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'candlelake-chaos-telegram-'));
      const store = new FileObjectStore(dir);
      const update = updateRunner(store, `file://${dir}`, binance.url, (now) => binance.setNow(now));
      const logger = keepingLogger();
      // Production's sender with its retries shortened: an outage must fail a send in ms, not in 15 s.
      const sender: AlertSender = telegramAlertSender(
        createTelegramSender({ token: TOKEN, chatId: CHAT, apiUrl: telegram.url, logger, retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 200 }, timeoutSec: 2, minSendIntervalMs: 0 }),
      );
      const deps = { store, clock: update.clock, logger, sender };

      const outageStarted = Date.now();
      telegram.faults.add({ when: { method: 'sendMessage' }, action: { type: 'outage', mode: 'bad-gateway' } });
      binance.faults.add({ when: { path: '/api/v3/klines' }, action: { type: 'status', status: 451 } });
      const record = await update.run();
      binance.faults.clear();
      const during: Array<DeliverySummary | undefined> = [await publishJobFindings(deps, 'update', record.runId, updateAlertFindings(record) ?? [])];
      telegram.faults.clear();
      telegram.faults.add({ when: { method: 'sendMessage' }, action: { type: 'outage', mode: 'socket' } });
      during.push(await publishJobFindings(deps, 'validate', 'validate-chaos-1', VALIDATE_FINDINGS));
      during.push(await publishJobFindings(deps, 'backup', 'backup-chaos-1', BACKUP_FINDINGS));
      const failedSends = telegram.requests.filter((r) => r.method === 'sendMessage').length;
      const last = during.at(-1);
      const pendingDuring = last ? last.pending.critical.length + last.pending.warning.length : 0;

      telegram.faults.clear();
      telegram.faults.add({ when: { method: 'sendMessage' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
      const outageEnded = Date.now();
      const after = await deliverAlerts(deps, { flush: true });
      const again = await deliverAlerts(deps, { flush: true });
      const deliveredAt = Date.now();

      const raised = (await openAlerts(store)).map((a) => a.key);
      const receivedIn = (key: string) => telegram.messages.filter((m) => m.text.includes(key)).length;
      const lost = raised.filter((key) => receivedIn(key) === 0);
      const duplicated = raised.filter((key) => receivedIn(key) > 1);
      const recovered = lost.length === 0 && after.pending.critical.length + after.pending.warning.length === 0;
      return {
        faults: { ...countFaults(telegram.requests, outageStarted, outageEnded), '429 retry_after': telegram.requests.filter((r) => r.status === 429).length },
        detected: pendingDuring > 0 && during.every((s) => (s?.failures ?? 0) > 0),
        detection: `${during.reduce((n, s) => n + (s?.failures ?? 0), 0)} failed sends across 3 job doors; ${pendingDuring} alert(s) pending in the lake when Telegram came back`,
        recovered,
        recovery: 'later delivery',
        timeToRecoverMs: recovered ? deliveredAt - outageStarted : null,
        lost: lost.length,
        duplicates: duplicated.length,
        unit: 'alerts',
        checked: raised.length,
        notes: [
          `${failedSends} sendMessage attempts during the outage; after it: ${after.messages} messages (${after.sent.critical.length} critical, ${after.sent.warning.length} warnings batched), then ${again.messages} on a second pass`,
          `delivered ${((deliveredAt - outageEnded) / 1000).toFixed(1)} s after Telegram came back (one 429 retry_after 1 s included)`,
          ...(lost.length > 0 ? [`never received: ${lost.join(', ')}`] : []),
        ],
      };
    } finally {
      await binance.close();
      await telegram.close();
    }
  },
};

/** Failed sendMessage requests the stand-in answered (or dropped) during the outage, by kind. */
function countFaults(requests: ReadonlyArray<{ method: string; status: number; atMs: number }>, fromMs: number, toMs: number): Record<string, number> {
  const sends = requests.filter((r) => r.method === 'sendMessage' && r.atMs >= fromMs && r.atMs < toMs);
  return { '502 outage': sends.filter((r) => r.status === 502).length, 'closed connections': sends.filter((r) => r.status === 0).length };
}
