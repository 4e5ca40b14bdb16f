/** Building the Telegram sender from the environment, or none when Telegram is not configured. */
import type { JobLogger } from '../logging/types.ts';
import { createTelegramSender } from './client.ts';
import type { TelegramSender, TelegramSenderOptions } from './types.ts';

/**
 * A sender from TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID and optional TELEGRAM_API_URL, or
 * `undefined` when the token or chat id is missing (the caller then prints alerts to the console).
 * @example
 * const telegram = telegramSenderFromEnv(process.env, logger);
 * if (telegram === undefined) console.log(alertText); else await telegram.sendText(alertText);
 */
export function telegramSenderFromEnv(
  env: Record<string, string | undefined>,
  logger: JobLogger,
  overrides: Partial<Omit<TelegramSenderOptions, 'token' | 'chatId' | 'logger'>> = {},
): TelegramSender | undefined {
  const token = env['TELEGRAM_BOT_TOKEN']?.trim() ?? '';
  const chatId = env['TELEGRAM_CHAT_ID']?.trim() ?? '';
  if (token === '' || chatId === '') {
    const missing = [token === '' ? 'TELEGRAM_BOT_TOKEN' : '', chatId === '' ? 'TELEGRAM_CHAT_ID' : ''].filter((name) => name !== '');
    // One of the two set without the other is most likely a mistake; neither set is a choice.
    if (missing.length === 1) logger.warn('telegram not configured, alerts go to the console', { missing });
    else logger.debug('telegram not configured, alerts go to the console', { missing });
    return undefined;
  }
  const apiUrl = env['TELEGRAM_API_URL']?.trim();
  return createTelegramSender({ ...overrides, token, chatId, logger, ...(apiUrl ? { apiUrl } : {}) });
}
