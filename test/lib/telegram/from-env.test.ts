/** telegramSenderFromEnv: a sender when token and chat id are set, otherwise none (alerts go to the console). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramSenderFromEnv } from '../../../lib/telegram/from-env.ts';
import { startTelegramStandIn, type TelegramStandIn } from '../../stand-ins/telegram/index.ts';
import { captureLogger } from './capture-logger.ts';
import { TELEGRAM_FROM_ENV_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_FROM_ENV_TOKEN;

let telegram: TelegramStandIn;

beforeAll(async () => {
  telegram = await startTelegramStandIn({ token: TOKEN });
});
afterAll(async () => {
  await telegram.close();
});

describe('telegramSenderFromEnv', () => {
  it.each([
    ['neither set', {}, 'debug'],
    ['no token', { TELEGRAM_CHAT_ID: '1' }, 'warn'],
    ['no chat id', { TELEGRAM_BOT_TOKEN: TOKEN }, 'warn'],
    ['blank token', { TELEGRAM_BOT_TOKEN: '  ', TELEGRAM_CHAT_ID: '1' }, 'warn'],
  ])('returns undefined with %s', (_name, env: Record<string, string>, level) => {
    const logger = captureLogger();
    expect(telegramSenderFromEnv(env, logger)).toBeUndefined();
    expect(logger.lines).toMatchObject([{ level, message: 'telegram not configured, alerts go to the console' }]);
    expect(logger.text()).not.toContain(TOKEN);
  });

  it('sends to TELEGRAM_CHAT_ID through TELEGRAM_API_URL', async () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-100777', TELEGRAM_API_URL: `${telegram.url}/` };
    const sender = telegramSenderFromEnv(env, captureLogger());
    await sender?.sendText('configured');
    expect(telegram.messages).toMatchObject([{ chatId: '-100777', text: 'configured' }]);
  });
});
