/** Escaping plain text for Telegram's MarkdownV2, and an `md` template that escapes only the values. */

/** Every character MarkdownV2 reserves outside entities, plus the backslash itself. */
const MARKDOWN_V2_SPECIAL = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/**
 * Turns plain text into MarkdownV2 that Telegram shows as exactly that text.
 * @example escapeMarkdownV2('BTC/USDT -2.5% (1h)') // 'BTC/USDT \\-2\\.5% \\(1h\\)'
 */
export function escapeMarkdownV2(text: string): string {
  return text.replace(MARKDOWN_V2_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * Tagged template for MarkdownV2: the literal parts are written as MarkdownV2 (so `*bold*`
 * works and a literal `.` must be written `\\.`), every interpolated value is escaped as plain text.
 * @example md`*Gap in ${symbol}* ${missingPct}% missing` // '*Gap in BTC\\_USDT* 1\\.5% missing'
 */
export function md(literals: TemplateStringsArray, ...values: unknown[]): string {
  let out = literals[0] ?? '';
  values.forEach((value, index) => {
    out += escapeMarkdownV2(String(value)) + (literals[index + 1] ?? '');
  });
  return out;
}
