/**
 * Telegram for candlelake: MarkdownV2 escaping and splitting, and a sender (grammY with
 * throttling and retries) whose errors and logs never contain the bot token.
 */
export { createTelegramSender } from './client.ts';
export { telegramSenderFromEnv } from './from-env.ts';
export { escapeMarkdownV2, md } from './escape.ts';
export { splitMessage, TELEGRAM_MAX_TEXT_CHARS } from './split.ts';
export { redactToken, REDACTED } from './redact.ts';
export { TelegramSendError, type TelegramSendErrorDetails } from './errors.ts';
export type { TelegramRetryOptions, TelegramSender, TelegramSenderOptions } from './types.ts';
