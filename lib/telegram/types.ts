/** Types of the Telegram client: the sender's options and the sender itself. */
import type { JobLogger } from '../logging/types.ts';

/** How transient failures (5xx, network errors, timeouts) are retried. 429s follow Telegram's `retry_after` instead. */
export interface TelegramRetryOptions {
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** First backoff; doubles each retry. Default 1000. */
  baseDelayMs?: number;
  /** Backoff cap. Default 30000. */
  maxDelayMs?: number;
}

/** Options of {@link createTelegramSender}. */
export interface TelegramSenderOptions {
  /** Bot token from BotFather (TELEGRAM_BOT_TOKEN). Never appears in errors or logs. */
  token: string;
  /** Target chat (TELEGRAM_CHAT_ID): a numeric id or `@channelname`. */
  chatId: string | number;
  /** Bot API base URL (TELEGRAM_API_URL), grammY's `apiRoot`. Default `'https://api.telegram.org'`. */
  apiUrl?: string;
  logger: JobLogger;
  /**
   * Longest 429 `retry_after` the sender waits out; a longer one fails the send at once so the
   * caller can keep the alert pending. Default 60.
   */
  maxRetryAfterSec?: number;
  /** How many 429s in a row one request waits out before failing. Default 5. */
  maxRateLimitRetries?: number;
  retry?: TelegramRetryOptions;
  /** Per-request timeout, counted as a transient failure. Default 30. */
  timeoutSec?: number;
  /** Smallest gap between two requests to the same chat (Telegram asks for about 1 message/s per chat). Default 1000. */
  minSendIntervalMs?: number;
}

/** Sends candlelake's messages to one chat. */
export interface TelegramSender {
  /**
   * Sends MarkdownV2 text, split into as many messages as Telegram's 4096-character limit needs.
   * Resolves to the message ids in order; rejects with a {@link TelegramSendError}.
   */
  sendText(markdownV2: string): Promise<number[]>;
  /** Sends a PNG with an optional MarkdownV2 caption (≤ 1024 characters). Resolves to the message id. */
  sendPhoto(png: Uint8Array, captionMarkdownV2?: string): Promise<number>;
}
