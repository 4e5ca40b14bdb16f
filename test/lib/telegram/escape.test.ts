/** MarkdownV2 escaping: every special character escaped, and Telegram shows exactly the original text. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdownV2, md } from '../../../lib/telegram/escape.ts';
import { parseMarkdownV2 } from '../../stand-ins/telegram/markdown-v2.ts';

const SPECIALS = '_*[]()~`>#+-=|{}.!\\';

describe('escapeMarkdownV2', () => {
  it.each([
    ['BTC/USDT -2.5% (1h)', 'BTC/USDT \\-2\\.5% \\(1h\\)'],
    ['a_b*c', 'a\\_b\\*c'],
    ['C:\\path', 'C:\\\\path'],
    ['no specials here', 'no specials here'],
    ['', ''],
  ])('escapes %j', (plain, escaped) => {
    expect(escapeMarkdownV2(plain)).toBe(escaped);
  });

  it('escapes every special character, and the parser shows the original', () => {
    const escaped = escapeMarkdownV2(SPECIALS);
    expect(escaped).toBe([...SPECIALS].map((ch) => `\\${ch}`).join(''));
    expect(parseMarkdownV2(escaped)).toEqual({ ok: true, text: SPECIALS });
  });

  it('round-trips any text through Telegram parsing', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...SPECIALS, '\n', ' '), fc.string({ unit: 'binary' }))).map((parts) => parts.join('')), (plain) => {
        expect(parseMarkdownV2(escapeMarkdownV2(plain))).toEqual({ ok: true, text: plain });
      }),
    );
  });
});

describe('md', () => {
  it('keeps the template as MarkdownV2 and escapes the values', () => {
    const symbol = 'BTC_USDT';
    const pct = -1.5;
    const text = md`*Gap in ${symbol}* ${pct}% missing`;
    expect(text).toBe('*Gap in BTC\\_USDT* \\-1\\.5% missing');
    expect(parseMarkdownV2(text)).toEqual({ ok: true, text: 'Gap in BTC_USDT -1.5% missing' });
  });

  it('works without values', () => {
    expect(md`*done*`).toBe('*done*');
  });
});
