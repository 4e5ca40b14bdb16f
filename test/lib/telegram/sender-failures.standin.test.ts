/**
 * The Telegram sender's failure handling through the real grammY client against the Telegram
 * stand-in: 429 retry_after, 5xx and network retries, timeouts, a long outage and a wrong token,
 * with the bot token absent from every error and log line.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../lib/telegram/client.ts';
import { TelegramSendError } from '../../../lib/telegram/errors.ts';
import type { TelegramSenderOptions } from '../../../lib/telegram/types.ts';
import { startTelegramStandIn, type TelegramStandIn } from '../../stand-ins/telegram/index.ts';
import { captureLogger } from './capture-logger.ts';
import { TELEGRAM_SENDER_TOKEN, TELEGRAM_WRONG_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_SENDER_TOKEN;
const SECRET = TOKEN.slice(TOKEN.indexOf(':') + 1);
const FAST_RETRY = { retries: 3, baseDelayMs: 20, maxDelayMs: 100 };

let telegram: TelegramStandIn;

beforeAll(async () => {
  telegram = await startTelegramStandIn({ token: TOKEN });
});
afterEach(() => {
  telegram.faults.clear();
  telegram.messages.length = 0;
  telegram.requests.length = 0;
});
afterAll(async () => {
  await telegram.close();
});

function setup(options: Partial<TelegramSenderOptions> = {}) {
  const logger = captureLogger();
  const sender = createTelegramSender({ token: TOKEN, chatId: 99, apiUrl: telegram.url, logger, retry: FAST_RETRY, minSendIntervalMs: 0, ...options });
  return { sender, logger };
}

async function failure(promise: Promise<unknown>): Promise<TelegramSendError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TelegramSendError);
  return error as TelegramSendError;
}

function expectNoToken(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
  }
}

describe('Telegram sender failures against the stand-in', () => {
  it('waits out a 429 retry_after, then delivers', async () => {
    telegram.faults.add({ when: { method: 'sendMessage' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
    const { sender, logger } = setup();

    await sender.sendText('after the limit');

    expect(telegram.requests.map((request) => request.status)).toEqual([429, 200]);
    const [limited, accepted] = telegram.requests.map((request) => request.atMs);
    expect((accepted ?? 0) - (limited ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(telegram.messages.map((message) => message.text)).toEqual(['after the limit']);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'telegram rate limited' }));
  });

  it('fails at once when retry_after is above maxRetryAfterSec', async () => {
    telegram.faults.add({ times: 1, action: { type: 'status', status: 429, retryAfterSec: 30 } });
    const { sender } = setup({ maxRetryAfterSec: 5 });

    const error = await failure(sender.sendText('too long a wait'));

    expect(error).toMatchObject({ method: 'sendMessage', errorCode: 429, retryAfterSec: 30 });
    expect(telegram.requests).toHaveLength(1);
  });

  it.each([
    ['500 JSON', { type: 'status', status: 500 } as const],
    ['502 proxy page', { type: 'status', status: 502, html: true } as const],
    ['closed socket', { type: 'outage', mode: 'socket' } as const],
  ])('retries a %s, then delivers', async (_name, action) => {
    telegram.faults.add({ when: { method: 'sendMessage' }, times: 2, action });
    const { sender, logger } = setup();

    await sender.sendText('after the hiccup');

    expect(telegram.requests).toHaveLength(3);
    expect(telegram.messages.map((message) => message.text)).toEqual(['after the hiccup']);
    expect(logger.lines.filter((line) => line.message === 'telegram request failed, retrying')).toHaveLength(2);
    expectNoToken(logger.text());
  });

  it('treats a stalled request as a timeout and retries it', async () => {
    telegram.faults.add({ times: 1, action: { type: 'stall', ms: 5_000 } });
    const { sender } = setup({ timeoutSec: 0.3 });

    await sender.sendText('after the stall');

    expect(telegram.messages.map((message) => message.text)).toEqual(['after the stall']);
  });

  it.each([
    ['bad gateway', 'bad-gateway' as const, /Telegram sendMessage failed after retries: /],
    ['closed socket', 'socket' as const, /Telegram sendMessage failed after retries: Network request for 'sendMessage' failed!/],
  ])('gives up on a long outage (%s) with a clear error and no token anywhere', async (_name, mode, message) => {
    telegram.faults.add({ action: { type: 'outage', mode } });
    const { sender, logger } = setup();

    const error = await failure(sender.sendText('pending alert'));

    expect(error.message).toMatch(message);
    expect(telegram.requests).toHaveLength(FAST_RETRY.retries + 1);
    expect(telegram.messages).toEqual([]);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', message: 'telegram send failed' });
    expectNoToken(error.message, error.stack ?? '', inspect(error, { depth: 5 }), logger.text());

    // The outage ends: the caller's pending alert goes out on the next try.
    telegram.faults.clear();
    await sender.sendText('pending alert');
    expect(telegram.messages.map((m) => m.text)).toEqual(['pending alert']);
  });

  it('surfaces a wrong token as 401 without the token, and does not retry it', async () => {
    const wrongToken = TELEGRAM_WRONG_TOKEN;
    const logger = captureLogger();
    const sender = createTelegramSender({ token: wrongToken, chatId: 99, apiUrl: telegram.url, logger, retry: FAST_RETRY });

    const error = await failure(sender.sendText('hello'));

    expect(error).toMatchObject({ method: 'sendMessage', errorCode: 401 });
    expect(error.message).toBe('Telegram sendMessage failed: 401 Unauthorized (check TELEGRAM_BOT_TOKEN)');
    expect(telegram.requests).toHaveLength(1);
    for (const text of [error.message, error.stack ?? '', inspect(error, { depth: 5 }), logger.text()]) {
      expect(text).not.toContain(wrongToken);
      expect(text).not.toContain('AAE-wrong-secret-value');
    }
  });

  it('reports which parts of a split text were delivered before a failure', async () => {
    // The second part has an unescaped '.', which Telegram rejects after accepting the first.
    const markdown = `${'a'.repeat(4000)}\n${'b'.repeat(200)}\nversion 1.2`;
    const { sender } = setup();

    const error = await failure(sender.sendText(markdown));

    expect(telegram.messages).toHaveLength(1);
    expect(error).toMatchObject({ errorCode: 400, deliveredMessageIds: [telegram.messages[0]?.messageId] });
  });

  it('rejects MarkdownV2 Telegram cannot parse with its description', async () => {
    const { sender } = setup();
    const error = await failure(sender.sendText('price 1.5'));
    expect(error.message).toBe(
      "Telegram sendMessage failed: 400 Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    expect(telegram.requests).toHaveLength(1);
  });
});
