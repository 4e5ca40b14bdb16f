/**
 * The fake secrets the tests hand to the code under test, in one place so the suite-wide log
 * guard (secret-log-guard.ts) knows exactly what must never reach a log line, plus the shapes of
 * real secrets so a value no test registered is caught too.
 */

/** The bot token of the Telegram stand-in runs that send alerts and digests end to end. */
export const TELEGRAM_TEST_TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
/** The bot token of the Telegram sender's own tests. */
export const TELEGRAM_SENDER_TOKEN = '123456:AAE-standin-secret';
/** A token the stand-in refuses, for the sender's 401 path. */
export const TELEGRAM_WRONG_TOKEN = '123456:AAE-wrong-secret-value';
/** The token redactToken's unit tests hide. */
export const TELEGRAM_REDACT_TOKEN = '123456:AAE-secret_part';
/** The token telegramSenderFromEnv reads from the environment. */
export const TELEGRAM_FROM_ENV_TOKEN = '123456:AAE-from-env-secret';
/** The token the Telegram stand-in's own tests configure it with. */
export const TELEGRAM_STAND_IN_TOKEN = '123456:STANDIN-test-token';
/** A token the Telegram stand-in answers 401 for. */
export const TELEGRAM_STAND_IN_WRONG_TOKEN = '123456:wrong';
/** The token stored as an SSM SecureString in the secret-env tests. */
export const TELEGRAM_SSM_TOKEN = '123:abc';

/** A well-formed key (32 lower-case letters and digits) the FRED stand-in accepts by default. */
export const FRED_STAND_IN_KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
/** The FRED key of the sentiment job's stand-in runs. */
export const FRED_SENTIMENT_JOB_KEY = 'abcdefghijklmnopqrstuvwxyz012345';
/** The FRED key the sentiment Lambda reads from SSM. */
export const FRED_LAMBDA_KEY = 'zyxwvutsrqponmlkjihgfedcba543210';
/** A well-formed FRED key the stand-in does not know, for the refused-key path. */
export const FRED_OTHER_KEY = 'deadbeefdeadbeefdeadbeefdeadbeef';
/** Another unknown but well-formed key, for the stand-in's own error tests. */
export const FRED_UNREGISTERED_KEY = 'ffffffffffffffffffffffffffffffff';
/** The FRED key stored as an SSM SecureString in the secret-env tests. */
export const FRED_SSM_KEY = 'fred-key-1';

/** Every fake secret above by name: the values the log guard looks for verbatim. */
export const TEST_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  TELEGRAM_TEST_TOKEN, TELEGRAM_SENDER_TOKEN, TELEGRAM_WRONG_TOKEN, TELEGRAM_REDACT_TOKEN, TELEGRAM_FROM_ENV_TOKEN,
  TELEGRAM_STAND_IN_TOKEN, TELEGRAM_STAND_IN_WRONG_TOKEN, TELEGRAM_SSM_TOKEN,
  FRED_STAND_IN_KEY, FRED_SENTIMENT_JOB_KEY, FRED_LAMBDA_KEY, FRED_OTHER_KEY, FRED_UNREGISTERED_KEY, FRED_SSM_KEY,
});

/**
 * Secret-shaped strings, whoever configured them. A token's bot id may follow letters (`/bot<token>/`)
 * but not more digits; `%3A` is how its colon looks once a URL has been encoded.
 */
export const SECRET_PATTERNS: Readonly<Record<string, RegExp>> = Object.freeze({
  'telegram-bot-token': /(?<!\d)\d{6,}(?::|%3A)[A-Za-z0-9_-]{30,}/g,
  // FRED keys are 32 lower-case letters and digits; only after `api_key=` is that shape a key
  // rather than a hash or an id, and `api_key=***` (the product's redaction) is not that shape.
  'fred-api-key': /api_key=[a-z0-9]{32}(?![A-Za-z0-9])/g,
});

/** One secret found in a text: which one (a TEST_SECRETS name or a SECRET_PATTERNS name) and where. */
export interface SecretMatch {
  name: string;
  index: number;
  value: string;
}

/**
 * The forms a registered value can leak in: as written, URL-encoded, and for a bot token the part
 * after the colon alone (the bot id before it is public; the rest is the secret, and the
 * product's redactToken hides it on its own too, from 8 characters).
 */
function formsOf(value: string): string[] {
  const colon = value.indexOf(':');
  const secretPart = colon > 0 ? value.slice(colon + 1) : '';
  return [...new Set([value, encodeURIComponent(value), secretPart.length >= 8 ? secretPart : ''])].filter((form) => form !== '');
}

/**
 * Every registered secret and every secret-shaped string in `text`, ordered by position. Pure:
 * `known` defaults to TEST_SECRETS.
 * @example findSecrets(`GET /bot${TELEGRAM_TEST_TOKEN}/getMe`)[0]?.name // 'TELEGRAM_TEST_TOKEN'
 */
export function findSecrets(text: string, known: Readonly<Record<string, string>> = TEST_SECRETS): SecretMatch[] {
  const matches: SecretMatch[] = [];
  for (const [name, value] of Object.entries(known)) {
    for (const form of formsOf(value)) {
      for (let index = text.indexOf(form); index !== -1; index = text.indexOf(form, index + 1)) matches.push({ name, index, value: form });
    }
  }
  for (const [name, pattern] of Object.entries(SECRET_PATTERNS)) {
    for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) matches.push({ name, index: match.index, value: match[0] });
  }
  return matches.sort((a, b) => a.index - b.index || b.value.length - a.value.length);
}

/**
 * `text` with every found secret replaced by `<secret NAME>`, so a report can quote the line
 * around a leak without repeating the leak.
 * @example redactSecrets(`token ${TELEGRAM_TEST_TOKEN}`) // 'token <secret TELEGRAM_TEST_TOKEN>'
 */
export function redactSecrets(text: string, matches: SecretMatch[] = findSecrets(text)): string {
  let out = '';
  let at = 0;
  for (const match of matches) {
    const end = match.index + match.value.length;
    if (end <= at) continue;
    // An overlapping match (a pattern over a registered value, or the token's secret half)
    // still has its tail hidden: redaction extends to the furthest end seen.
    out += match.index >= at ? `${text.slice(at, match.index)}<secret ${match.name}>` : '';
    at = end;
  }
  return out + text.slice(at);
}
