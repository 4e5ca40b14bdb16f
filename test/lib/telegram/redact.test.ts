/** redactToken: the token never survives, in any of the forms it appears in. */
import { describe, expect, it } from 'vitest';
import { redactToken } from '../../../lib/telegram/redact.ts';
import { TELEGRAM_REDACT_TOKEN } from '../../harness/test-secrets.ts';

const TOKEN = TELEGRAM_REDACT_TOKEN;

describe('redactToken', () => {
  it.each([
    [`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed`, 'request to https://api.telegram.org/bot<redacted>/sendMessage failed'],
    [`url bot${encodeURIComponent(TOKEN)}/x`, 'url bot<redacted>/x'],
    ['only the secret AAE-secret_part leaked', 'only the secret <redacted> leaked'],
    [`${TOKEN} twice ${TOKEN}`, '<redacted> twice <redacted>'],
    ['nothing to hide', 'nothing to hide'],
  ])('redacts %j', (text, expected) => {
    expect(redactToken(text, TOKEN)).toBe(expected);
  });

  it('leaves text alone for an empty token', () => {
    expect(redactToken('abc', '')).toBe('abc');
  });
});
