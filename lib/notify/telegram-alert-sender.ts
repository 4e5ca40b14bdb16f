/**
 * Alerts as Telegram messages: one message per CRITICAL problem, one for a batch of warnings, one
 * per resolved problem, written in MarkdownV2 with every value escaped.
 */
import type { Alert, AlertMessageKind, AlertSender } from '../alerts/index.ts';
import { consoleAlertSender } from '../alerts/index.ts';
import type { JobLogger } from '../logging/types.ts';
import { escapeMarkdownV2 } from '../telegram/escape.ts';
import { telegramSenderFromEnv } from '../telegram/from-env.ts';
import type { TelegramSender } from '../telegram/types.ts';

const ICON: Record<AlertMessageKind, string> = { critical: '🔴', 'warning-batch': '🟠', resolved: '✅' };

/**
 * The message text for alerts of one kind (MarkdownV2).
 * @example alertMessage([alert], 'critical') // '🔴 *CRITICAL* \\— update\\n…'
 */
export function alertMessage(alerts: readonly Alert[], kind: AlertMessageKind): string {
  const head = kind === 'critical' ? 'CRITICAL' : kind === 'resolved' ? 'RESOLVED' : `${alerts.length} WARNING${alerts.length > 1 ? 'S' : ''}`;
  const lines = alerts.map((a) => {
    const seen = a.count > 1 ? ` \\(seen ${a.count}×\\)` : '';
    return `• ${escapeMarkdownV2(a.text)}${seen}\n  _${escapeMarkdownV2(`${a.source.job} · ${a.key}`)}_`;
  });
  return `${ICON[kind]} *${escapeMarkdownV2(head)}*\n${lines.join('\n')}`;
}

/** An AlertSender over a Telegram sender. A failed send rejects, so the alerts stay pending in the lake. */
export function telegramAlertSender(telegram: TelegramSender): AlertSender {
  return {
    async send(alerts, kind) {
      await telegram.sendText(alertMessage(alerts, kind));
    },
  };
}

/**
 * Telegram when `TELEGRAM_BOT_TOKEN` and `TELEGRAM_CHAT_ID` are set, else the console (the lake
 * keeps every alert either way).
 * @example const sender = alertSenderFromEnv(process.env, logger);
 */
export function alertSenderFromEnv(env: Record<string, string | undefined>, logger: JobLogger): AlertSender {
  const telegram = telegramSenderFromEnv(env, logger);
  return telegram ? telegramAlertSender(telegram) : consoleAlertSender(logger);
}
