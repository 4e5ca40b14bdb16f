/** The one error the Telegram client throws: always with the bot token redacted. */

/** Fields of a {@link TelegramSendError} beyond its message. */
export interface TelegramSendErrorDetails {
  /** Bot API method, e.g. `'sendMessage'`. */
  method: string;
  /** Telegram's `error_code` (or the HTTP status of a proxy page); undefined for network errors and timeouts. */
  errorCode?: number;
  /** Telegram's `parameters.retry_after`, when it asked to wait longer than the sender would. */
  retryAfterSec?: number;
  /** Messages of this send that Telegram had already accepted (earlier parts of a split text). */
  deliveredMessageIds?: number[];
}

/**
 * A send that failed after the sender's retries. The message and fields never contain the bot
 * token, and the original grammY error (whose URL does) is deliberately not kept as `cause`.
 * @example
 * try { await sender.sendText(text); } catch (error) {
 *   if (error instanceof TelegramSendError && error.errorCode === 401) logger.error('bad TELEGRAM_BOT_TOKEN');
 * }
 */
export class TelegramSendError extends Error {
  override readonly name = 'TelegramSendError';
  readonly method: string;
  readonly errorCode: number | undefined;
  readonly retryAfterSec: number | undefined;
  readonly deliveredMessageIds: number[];

  constructor(message: string, details: TelegramSendErrorDetails) {
    super(message);
    this.method = details.method;
    this.errorCode = details.errorCode;
    this.retryAfterSec = details.retryAfterSec;
    this.deliveredMessageIds = details.deliveredMessageIds ?? [];
  }
}
