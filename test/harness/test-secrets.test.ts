/** findSecrets and redactSecrets: registered fake secrets and secret shapes are found, redacted forms and look-alikes are not. */
import { describe, expect, it } from 'vitest';
import {
  FRED_LAMBDA_KEY, FRED_SSM_KEY, FRED_STAND_IN_KEY, TELEGRAM_SENDER_TOKEN, TELEGRAM_SSM_TOKEN, TELEGRAM_TEST_TOKEN, TEST_SECRETS,
  findSecrets, redactSecrets,
} from './test-secrets.ts';

const names = (text: string, known?: Record<string, string>) => [...new Set(findSecrets(text, known).map((m) => m.name))].sort();

describe('findSecrets', () => {
  it.each([
    ['a registered token in a Bot API URL', `POST https://api.telegram.org/bot${TELEGRAM_TEST_TOKEN}/sendMessage`, ['TELEGRAM_TEST_TOKEN', 'telegram-bot-token']],
    ['a registered token URL-encoded', `bot${encodeURIComponent(TELEGRAM_TEST_TOKEN)}/getMe`, ['TELEGRAM_TEST_TOKEN', 'telegram-bot-token']],
    ['the secret half of a registered token alone', `{"detail":"AAE-standin-secret"}`, ['TELEGRAM_SENDER_TOKEN']],
    ['a short registered token', `token=${TELEGRAM_SSM_TOKEN}`, ['TELEGRAM_SSM_TOKEN']],
    ['a registered FRED key in a query string', `GET /fred/series/observations?series_id=SP500&api_key=${FRED_STAND_IN_KEY}&file_type=json`, ['FRED_STAND_IN_KEY', 'fred-api-key']],
    ['a registered FRED key in a JSON field', `{"level":"DEBUG","key":"${FRED_LAMBDA_KEY}"}`, ['FRED_LAMBDA_KEY']],
    ['a registered FRED key of no particular shape', `FRED_API_KEY=${FRED_SSM_KEY}`, ['FRED_SSM_KEY']],
    ['an unregistered real-looking bot token', 'bot7012345678:AAHk3x_9QpZcVn-2LmRtYwEsDfGhJkLqWe0/sendMessage', ['telegram-bot-token']],
    ['an unregistered bot token with its colon encoded', '7012345678%3AAAHk3x_9QpZcVn-2LmRtYwEsDfGhJkLqWe0', ['telegram-bot-token']],
    ['an unregistered FRED key', 'fetch https://api.stlouisfed.org/fred/series?api_key=0123456789abcdef0123456789abcdef&x=1', ['fred-api-key']],
  ])('finds %s', (_name, text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it.each([
    ['the redacted FRED URL', 'GET https://api.stlouisfed.org/fred/series/observations?series_id=SP500&api_key=***&file_type=json'],
    ['the redacted Telegram URL', 'POST https://api.telegram.org/bot<redacted>/sendMessage failed: 401 Unauthorized (check TELEGRAM_BOT_TOKEN)'],
    ['the names of the secrets', 'TELEGRAM_BOT_TOKEN_PARAMETER=/candlelake/dev/telegram-bot-token FRED_API_KEY is not set'],
    ['a key too short for FRED', 'api_key=SHORT'],
    ['upper-case hex after api_key', 'api_key=C0FFEE00C0FFEE00C0FFEE00C0FFEE00'],
    ['33 characters after api_key', `api_key=${FRED_STAND_IN_KEY.replace('c0', 'x')}0z`],
    ['a 32-character hash not after api_key', 'etag "0123456789abcdef0123456789abcdef"'],
    ['a bot id with a short suffix', '123456789:short'],
    ['a bot id of five digits', '12345:AAHk3x_9QpZcVn-2LmRtYwEsDfGhJkLqWe0'],
    ['timestamps and times', '2024-06-10T12:34:56.789Z took 1717000000000 ms at 12:00:00'],
  ])('finds nothing in %s', (_name, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('reports each occurrence with its position and value, in order', () => {
    const text = `a ${FRED_SSM_KEY} b ${FRED_SSM_KEY}`;
    expect(findSecrets(text, { FRED_SSM_KEY })).toEqual([
      { name: 'FRED_SSM_KEY', index: 2, value: FRED_SSM_KEY },
      { name: 'FRED_SSM_KEY', index: 15, value: FRED_SSM_KEY },
    ]);
  });

  it('looks only for the registered values it is given, besides the shapes', () => {
    expect(names(`token=${TELEGRAM_SSM_TOKEN}`, {})).toEqual([]);
    expect(names(`bot${TELEGRAM_TEST_TOKEN}/x`, {})).toEqual(['telegram-bot-token']);
  });

  it('knows every exported constant', () => {
    expect(Object.values(TEST_SECRETS)).toEqual(expect.arrayContaining([TELEGRAM_TEST_TOKEN, TELEGRAM_SENDER_TOKEN, TELEGRAM_SSM_TOKEN, FRED_STAND_IN_KEY, FRED_LAMBDA_KEY, FRED_SSM_KEY]));
    for (const value of Object.values(TEST_SECRETS)) expect(findSecrets(`x ${value} y`).length).toBeGreaterThan(0);
  });
});

describe('redactSecrets', () => {
  it('replaces every secret, overlapping finds included, and keeps the rest of the line', () => {
    const text = `url bot${TELEGRAM_TEST_TOKEN}/sendMessage and api_key=${FRED_STAND_IN_KEY}&x=1`;
    const redacted = redactSecrets(text);
    expect(redacted).toBe('url bot<secret TELEGRAM_TEST_TOKEN>/sendMessage and <secret fred-api-key>&x=1');
    expect(findSecrets(redacted)).toEqual([]);
  });

  it('leaves a text without secrets alone', () => {
    expect(redactSecrets('api_key=*** and bot<redacted>')).toBe('api_key=*** and bot<redacted>');
  });
});
