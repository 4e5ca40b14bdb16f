/** The Telegram stand-in over plain fetch: envelope, token check, limits, uploads and faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramStandIn, type TelegramStandIn } from './index.ts';
import { TELEGRAM_STAND_IN_TOKEN, TELEGRAM_STAND_IN_WRONG_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_STAND_IN_TOKEN;
const NOW_MS = Date.UTC(2026, 10, 29, 12, 0, 0);
/** Smallest PNG header the stand-in reads sizes from: signature, IHDR length and type, 3×2 px. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]);

let telegram: TelegramStandIn;

beforeAll(async () => {
  telegram = await startTelegramStandIn({ token: TOKEN, now: () => NOW_MS });
});
afterEach(() => {
  telegram.faults.clear();
  telegram.messages.length = 0;
  telegram.requests.length = 0;
});
afterAll(async () => {
  await telegram.close();
});

async function callJson(method: string, body: Record<string, unknown>, token = TOKEN) {
  const res = await fetch(`${telegram.url}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Telegram stand-in', () => {
  it('accepts sendMessage and records what the chat shows', async () => {
    const reply = await callJson('sendMessage', { chat_id: 42, text: '*Alert* 1\\.5%', parse_mode: 'MarkdownV2' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ok: true, result: { message_id: 1, date: NOW_MS / 1000, chat: { id: 42, type: 'private' }, text: 'Alert 1.5%' } });
    expect(telegram.messages).toMatchObject([{ chatId: '42', kind: 'text', text: 'Alert 1.5%', raw: '*Alert* 1\\.5%', parseMode: 'MarkdownV2' }]);
  });

  it('accepts a form-encoded body', async () => {
    const res = await fetch(`${telegram.url}/bot${TOKEN}/sendMessage`, { method: 'POST', body: new URLSearchParams({ chat_id: '-1001', text: 'hi.' }) });
    expect(res.status).toBe(200);
    expect(telegram.messages[0]).toMatchObject({ chatId: '-1001', text: 'hi.', parseMode: undefined });
  });

  it.each([
    ['bad MarkdownV2', { chat_id: 1, text: 'v1.2', parse_mode: 'MarkdownV2' }, 400, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"],
    ['too long', { chat_id: 1, text: 'x'.repeat(4097) }, 400, 'Bad Request: message is too long'],
    ['empty', { chat_id: 1, text: '' }, 400, 'Bad Request: message text is empty'],
    ['no chat', { text: 'hi' }, 400, 'Bad Request: chat_id is empty'],
  ])('rejects %s', async (_name, body, status, description) => {
    const reply = await callJson('sendMessage', body);
    expect(reply).toEqual({ status, body: { ok: false, error_code: status, description } });
    expect(telegram.messages).toEqual([]);
  });

  it('answers 401 for a wrong token', async () => {
    const reply = await callJson('getMe', {}, TELEGRAM_STAND_IN_WRONG_TOKEN);
    expect(reply).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect(telegram.requests[0]).toMatchObject({ method: 'getMe', tokenValid: false, status: 401 });
  });

  it('takes a multipart photo upload with a caption', async () => {
    const form = new FormData();
    form.set('chat_id', '7');
    form.set('caption', '*Equity* \\+3%');
    form.set('parse_mode', 'MarkdownV2');
    form.set('photo', new Blob([PNG], { type: 'image/png' }), 'chart.png');
    const res = await fetch(`${telegram.url}/bot${TOKEN}/sendPhoto`, { method: 'POST', body: form });
    const body = (await res.json()) as { ok: boolean; result: { caption: string; photo: { width: number }[] } };
    expect(body.ok).toBe(true);
    expect(body.result.caption).toBe('Equity +3%');
    expect(body.result.photo.at(-1)?.width).toBe(3);
    expect(telegram.messages[0]).toMatchObject({ kind: 'photo', text: 'Equity +3%', photoBytes: PNG.length });
  });

  it('rejects a caption over 1024 characters and a file that is no image', async () => {
    const form = new FormData();
    form.set('chat_id', '7');
    form.set('caption', 'c'.repeat(1025));
    form.set('photo', new Blob([PNG]), 'chart.png');
    const long = await fetch(`${telegram.url}/bot${TOKEN}/sendPhoto`, { method: 'POST', body: form });
    expect(await long.json()).toMatchObject({ error_code: 400, description: 'Bad Request: message caption is too long' });
    form.delete('caption');
    form.set('photo', new Blob([new Uint8Array([1, 2, 3])]), 'x.png');
    const notImage = await fetch(`${telegram.url}/bot${TOKEN}/sendPhoto`, { method: 'POST', body: form });
    expect(await notImage.json()).toMatchObject({ error_code: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
  });

  it('answers 429 with retry_after once, then normally', async () => {
    telegram.faults.add({ when: { method: 'sendMessage' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 7 } });
    const limited = await callJson('sendMessage', { chat_id: 1, text: 'a' });
    expect(limited).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } },
    });
    expect((await callJson('sendMessage', { chat_id: 1, text: 'a' })).status).toBe(200);
  });

  it('fails every request during an outage until cleared', async () => {
    telegram.faults.add({ action: { type: 'outage', mode: 'bad-gateway' } });
    const page = await fetch(`${telegram.url}/bot${TOKEN}/getMe`);
    expect(page.status).toBe(502);
    expect(await page.text()).toContain('502 Bad Gateway');
    telegram.faults.clear();
    telegram.faults.add({ action: { type: 'outage', mode: 'socket' } });
    await expect(fetch(`${telegram.url}/bot${TOKEN}/getMe`)).rejects.toThrow();
    telegram.faults.clear();
    expect((await callJson('getMe', {})).status).toBe(200);
  });

  it('stalls a response, then answers', async () => {
    telegram.faults.add({ times: 1, action: { type: 'stall', ms: 150 } });
    const started = Date.now();
    expect((await callJson('getMe', {})).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
