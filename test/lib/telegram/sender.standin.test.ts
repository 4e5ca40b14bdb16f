/**
 * The Telegram sender through the real grammY client against the Telegram stand-in: what a person
 * in the chat sees for plain, escaped, long and photo messages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../lib/telegram/client.ts';
import { escapeMarkdownV2, md } from '../../../lib/telegram/escape.ts';
import { startTelegramStandIn, type TelegramStandIn } from '../../stand-ins/telegram/index.ts';
import { captureLogger } from './capture-logger.ts';
import { TELEGRAM_SENDER_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_SENDER_TOKEN;
const CHAT_ID = '424242';
/** A real 1×1 PNG. */
const PNG = new Uint8Array(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
);

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

function sender() {
  return createTelegramSender({ token: TOKEN, chatId: CHAT_ID, apiUrl: telegram.url, logger: captureLogger() });
}

describe('Telegram sender against the stand-in', () => {
  it('delivers a message with the exact text', async () => {
    const ids = await sender().sendText(md`*Gap alert* ${'BTC/USDT: 3 candles missing (15m).'}`);
    expect(ids).toEqual([telegram.messages[0]?.messageId]);
    expect(telegram.messages).toMatchObject([
      { chatId: CHAT_ID, kind: 'text', parseMode: 'MarkdownV2', text: 'Gap alert BTC/USDT: 3 candles missing (15m).' },
    ]);
  });

  it('escapes every MarkdownV2 special character so the chat shows the original text', async () => {
    const plain = 'All of _ * [ ] ( ) ~ ` > # + - = | { } . ! \\ and *fake bold* and [fake](link) -1.5%';
    await sender().sendText(escapeMarkdownV2(plain));
    expect(telegram.messages.map((message) => message.text)).toEqual([plain]);
  });

  it('splits a 10,000-character message into 3 messages that all arrive, paced per chat', async () => {
    // 100 lines of 100 characters: 'row 001 ' + 89 × 'x' + '\.' + newline.
    const lines = Array.from({ length: 100 }, (_, i) => `row ${String(i).padStart(3, '0')} ${'x'.repeat(89)}.`);
    const markdown = lines.map((line) => `${escapeMarkdownV2(line)}\n`).join('');
    expect(markdown).toHaveLength(10_000);

    const ids = await sender().sendText(markdown);

    expect(ids).toHaveLength(3);
    expect(telegram.requests.every((request) => request.status === 200)).toBe(true);
    expect(telegram.messages.map((message) => message.messageId)).toEqual(ids);
    for (const message of telegram.messages) expect(message.raw.length).toBeLessThanOrEqual(4096);
    expect(telegram.messages.map((message) => message.text).join('')).toBe(lines.map((line) => `${line}\n`).join(''));
    const [first, second, third] = telegram.requests.map((request) => request.atMs);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('sends a PNG whose bytes arrive, with its caption', async () => {
    const id = await sender().sendPhoto(PNG, md`*Equity* ${'+3.2%'}`);
    expect(telegram.messages).toHaveLength(1);
    const message = telegram.messages[0];
    expect(message).toMatchObject({ messageId: id, kind: 'photo', text: 'Equity +3.2%', photoBytes: PNG.length });
    expect(Buffer.from(message?.photo ?? []).equals(Buffer.from(PNG))).toBe(true);
  });

  it('sends a PNG without a caption', async () => {
    await sender().sendPhoto(PNG);
    expect(telegram.messages).toMatchObject([{ kind: 'photo', text: '', raw: '', photoBytes: PNG.length }]);
  });
});
