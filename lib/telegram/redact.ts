/** Keeping the bot token out of errors and logs: grammY's network errors carry the request URL, which contains it. */

/** What the token is replaced by. */
export const REDACTED = '<redacted>';

/**
 * Replaces every occurrence of the bot token in `text` by `<redacted>`: as written, URL-encoded
 * (`:` as `%3A`), and its secret part after the `:` on its own.
 * @example redactToken('POST https://api.telegram.org/bot123:AAE-secret/sendMessage', '123:AAE-secret')
 * // 'POST https://api.telegram.org/bot<redacted>/sendMessage'
 */
export function redactToken(text: string, token: string): string {
  if (token === '') return text;
  const secret = token.slice(token.indexOf(':') + 1);
  const forms = [token, encodeURIComponent(token), secret.length >= 8 ? secret : ''].filter((form) => form !== '');
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}
