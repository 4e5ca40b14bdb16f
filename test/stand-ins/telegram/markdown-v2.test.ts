/** The stand-in's MarkdownV2 parser: what Telegram accepts, what it shows, and what it rejects. */
import { describe, expect, it } from 'vitest';
import { parseMarkdownV2 } from './markdown-v2.ts';

describe('parseMarkdownV2', () => {
  it.each([
    ['plain words', 'plain words'],
    ['*bold* and _italic_', 'bold and italic'],
    ['__underline__ ~strike~ ||spoiler||', 'underline strike spoiler'],
    ['*bold _nested_*', 'bold nested'],
    ['1\\.5% \\(up\\)', '1.5% (up)'],
    ['`code with . and *`', 'code with . and *'],
    ['```ts\nconst a = 1;\n```', 'const a = 1;\n'],
    ['[chart](https://example.com/a_(b\\))', 'chart'],
    ['> quoted line', ' quoted line'],
    ['back\\\\slash', 'back\\slash'],
  ])('accepts %j and shows %j', (source, visible) => {
    expect(parseMarkdownV2(source)).toEqual({ ok: true, text: visible });
  });

  it.each([
    ['price 1.5', "Character '.' is reserved and must be escaped with the preceding '\\'"],
    ['up -2', "Character '-' is reserved"],
    ['a > b', "Character '>' is reserved"],
    ['a | b', "Character '|' is reserved"],
    ['(x)', "Character '(' is reserved"],
    ['*never closed', "Can't find end of the entity starting at byte offset 0"],
    ['é *open', "Can't find end of the entity starting at byte offset 3"],
    ['`code', "Can't find end of the entity starting at byte offset 0"],
    ['*bold _italic* end_', "Can't find end of the entity"],
    ['trailing \\', "Character '\\' is reserved"],
  ])('rejects %j', (source, description) => {
    const parsed = parseMarkdownV2(source);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.description).toMatch(/^Bad Request: can't parse entities: /);
      expect(parsed.description).toContain(description);
    }
  });
});
