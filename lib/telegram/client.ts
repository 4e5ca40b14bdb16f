/**
 * The Telegram client candlelake sends alerts and charts with: grammY's `Api` with the throttler
 * (per-chat pacing), a bounded retry of transient failures (5xx, network errors, timeouts) and
 * the auto-retry plugin for 429 `retry_after`. Every error it throws is a TelegramSendError
 * without the bot token.
 *
 * Transformer order, innermost first: throttler → transient retry → 429 logging → auto-retry.
 * Transient failures are retried here rather than by auto-retry because its backoff is fixed
 * (3 s doubling) and it retries network errors without any attempt limit, so a long outage
 * would never surface; auto-retry is told to rethrow both and handles only `retry_after`.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Api, GrammyError, HttpError, InputFile, type Transformer } from 'grammy';
import type { JobLogger } from '../logging/types.ts';
import { TelegramSendError } from './errors.ts';
import { redactToken } from './redact.ts';
import { splitMessage, TELEGRAM_MAX_TEXT_CHARS } from './split.ts';
import type { TelegramSender, TelegramSenderOptions } from './types.ts';

/** The sender's defaults, merged with the caller's options. */
const DEFAULTS = {
  apiUrl: 'https://api.telegram.org',
  maxRetryAfterSec: 60,
  maxRateLimitRetries: 5,
  retries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  timeoutSec: 30,
  minSendIntervalMs: 1000,
} as const;

/**
 * Builds a sender for one chat. Build it once and reuse it: the throttler's pacing is per sender.
 * @example
 * const telegram = createTelegramSender({ token, chatId, logger });
 * await telegram.sendText(md`*Backtest done* ${name}: ${returnPct}%`);
 */
export function createTelegramSender(options: TelegramSenderOptions): TelegramSender {
  const token = options.token.trim();
  const chatId = options.chatId;
  if (token === '') throw new Error('Telegram sender needs a bot token');
  if (String(chatId).trim() === '') throw new Error('Telegram sender needs a chat id');
  const apiUrl = (options.apiUrl ?? DEFAULTS.apiUrl).replace(/\/+$/, '');
  const maxRetryAfterSec = options.maxRetryAfterSec ?? DEFAULTS.maxRetryAfterSec;
  const retries = options.retry?.retries ?? DEFAULTS.retries;
  const baseDelayMs = options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const maxDelayMs = options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const minSendIntervalMs = options.minSendIntervalMs ?? DEFAULTS.minSendIntervalMs;
  for (const [name, value] of Object.entries({ maxRetryAfterSec, retries, baseDelayMs, maxDelayMs, minSendIntervalMs })) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`Telegram sender option ${name} must be a non-negative number, got ${value}`);
  }
  const logger = redactingLogger(options.logger, token);

  const api = new Api(token, { apiRoot: apiUrl, timeoutSeconds: options.timeoutSec ?? DEFAULTS.timeoutSec });
  api.config.use(
    apiThrottler({
      out: { maxConcurrent: 1, minTime: minSendIntervalMs },
      group: { maxConcurrent: 1, minTime: minSendIntervalMs, reservoir: 20, reservoirRefreshAmount: 20, reservoirRefreshInterval: 60_000 },
    }),
  );
  api.config.use(retryTransient({ retries, baseDelayMs, maxDelayMs, logger }));
  api.config.use(logRateLimits(logger));
  api.config.use(
    autoRetry({
      maxDelaySeconds: maxRetryAfterSec,
      maxRetryAttempts: options.maxRateLimitRetries ?? DEFAULTS.maxRateLimitRetries,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );

  const call = async <T>(method: string, delivered: number[], send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      const wrapped = toSendError(error, method, token, delivered);
      logger.error('telegram send failed', { method, errorCode: wrapped.errorCode, error: wrapped.message, delivered: delivered.length });
      throw wrapped;
    }
  };

  return {
    async sendText(markdownV2) {
      const chunks = splitMessage(markdownV2, TELEGRAM_MAX_TEXT_CHARS);
      if (chunks.length === 0) throw new TelegramSendError('Telegram sendMessage refused locally: the text is empty', { method: 'sendMessage' });
      const ids: number[] = [];
      for (const chunk of chunks) {
        const message = await call('sendMessage', ids, () =>
          api.sendMessage(chatId, chunk, { parse_mode: 'MarkdownV2', link_preview_options: { is_disabled: true } }),
        );
        ids.push(message.message_id);
      }
      logger.debug('telegram text sent', { messages: ids.length, chars: markdownV2.length });
      return ids;
    },
    async sendPhoto(png, captionMarkdownV2) {
      const extra = captionMarkdownV2 === undefined || captionMarkdownV2 === '' ? {} : { caption: captionMarkdownV2, parse_mode: 'MarkdownV2' as const };
      const message = await call('sendPhoto', [], () => api.sendPhoto(chatId, new InputFile(png, 'chart.png'), extra));
      logger.debug('telegram photo sent', { bytes: png.length });
      return message.message_id;
    },
  };
}

/** Retries 5xx answers and network errors (incl. timeouts) with capped exponential backoff; hands anything else through. */
function retryTransient(config: { retries: number; baseDelayMs: number; maxDelayMs: number; logger: JobLogger }): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 1; ; attempt += 1) {
      let failure: string;
      try {
        const result = await prev(method, payload, signal);
        if (result.ok || result.error_code < 500 || attempt > config.retries) return result;
        failure = `${result.error_code}: ${result.description}`;
      } catch (error) {
        if (!(error instanceof HttpError) || signal?.aborted === true || attempt > config.retries) throw error;
        failure = describeHttpError(error);
      }
      const delayMs = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 1));
      config.logger.warn('telegram request failed, retrying', { method, attempt, retriesLeft: config.retries - attempt + 1, delayMs, error: failure });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  };
}

/** Logs each 429 on its way to auto-retry, which waits out `retry_after` (or gives up above the cap). */
function logRateLimits(logger: JobLogger): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok && result.parameters?.retry_after !== undefined) {
      logger.warn('telegram rate limited', { method, retryAfterSec: result.parameters.retry_after });
    }
    return result;
  };
}

function describeHttpError(error: HttpError): string {
  const inner = error.error instanceof Error ? `: ${error.error.message}` : '';
  return `${error.message}${inner}`;
}

/** Any failure as a TelegramSendError whose message names the method and Telegram's answer, never the token. */
function toSendError(error: unknown, method: string, token: string, delivered: number[]): TelegramSendError {
  const deliveredMessageIds = [...delivered];
  if (error instanceof TelegramSendError) return error;
  if (error instanceof GrammyError) {
    const retryAfterSec = error.parameters.retry_after;
    const hint =
      error.error_code === 401
        ? ' (check TELEGRAM_BOT_TOKEN)'
        : retryAfterSec !== undefined
          ? ' (retry_after is above the sender\'s maxRetryAfterSec)'
          : error.error_code >= 500
            ? ' (after retries)'
            : '';
    const message = `Telegram ${method} failed: ${error.error_code} ${error.description}${hint}`;
    return new TelegramSendError(redactToken(message, token), { method, errorCode: error.error_code, retryAfterSec, deliveredMessageIds });
  }
  if (error instanceof HttpError) {
    return new TelegramSendError(redactToken(`Telegram ${method} failed after retries: ${describeHttpError(error)}`, token), { method, deliveredMessageIds });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TelegramSendError(redactToken(`Telegram ${method} failed: ${text}`, token), { method, deliveredMessageIds });
}

/** A logger that redacts the token from every message and string field before passing them on. */
function redactingLogger(logger: JobLogger, token: string): JobLogger {
  const clean = (fields?: Record<string, unknown>): Record<string, unknown> | undefined =>
    fields === undefined ? undefined : JSON.parse(redactToken(JSON.stringify(fields), token)) as Record<string, unknown>;
  return {
    debug: (message, fields) => logger.debug(redactToken(message, token), clean(fields)),
    info: (message, fields) => logger.info(redactToken(message, token), clean(fields)),
    warn: (message, fields) => logger.warn(redactToken(message, token), clean(fields)),
    error: (message, fields) => logger.error(redactToken(message, token), clean(fields)),
  };
}
