/**
 * Telegram's MarkdownV2 parser as the stand-in needs it: turns a message into the plain text a
 * person reads, or rejects it with Telegram's own `can't parse entities` description.
 *
 * Rules (https://core.telegram.org/bots/api#markdownv2-style): any character with code 1..126
 * can be escaped with a preceding `\`; outside entities each of `_*[]()~\`>#+-=|{}.!` and `\`
 * itself must be escaped; inside code and pre only `` ` `` and `\` need escaping (other escapes
 * still work); inside a link's `(...)` only `)` and `\`. `>` starts a quote only at a line start.
 * Entities may nest but must close in order. Not modelled: custom emoji (`![..](tg://emoji..)`),
 * expandable quotes (`**>`), and the `___` underline/italic ambiguity.
 */

/** The outcome of parsing one message. */
export type MarkdownV2Parse = { ok: true; text: string } | { ok: false; description: string };

type EntityKind = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'link';

interface OpenEntity {
  kind: EntityKind;
  byteOffset: number;
}

const RESERVED_OUTSIDE = new Set(['(', ')', '#', '+', '-', '=', '{', '}', '.', '!']);

class ParseFailure extends Error {}

/**
 * Parses a MarkdownV2 message the way Telegram does.
 * @example parseMarkdownV2('*Alert* 1\\.5%') // { ok: true, text: 'Alert 1.5%' }
 */
export function parseMarkdownV2(source: string): MarkdownV2Parse {
  try {
    return { ok: true, text: parse(source) };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, description: `Bad Request: can't parse entities: ${error.message}` };
    throw error;
  }
}

function reserved(ch: string): ParseFailure {
  return new ParseFailure(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
}

function unclosed(byteOffset: number): ParseFailure {
  return new ParseFailure(`Can't find end of the entity starting at byte offset ${byteOffset}`);
}

function isEscapable(ch: string | undefined): ch is string {
  if (ch === undefined) return false;
  const code = ch.charCodeAt(0);
  return code >= 1 && code <= 126;
}

function parse(source: string): string {
  const byteAt = (index: number): number => Buffer.byteLength(source.slice(0, index));
  const stack: OpenEntity[] = [];
  let out = '';
  let i = 0;

  const toggle = (kind: EntityKind, width: number): void => {
    const top = stack.at(-1);
    if (top?.kind === kind) stack.pop();
    else if (stack.some((open) => open.kind === kind)) throw unclosed(top?.byteOffset ?? 0);
    else stack.push({ kind, byteOffset: byteAt(i) });
    i += width;
  };

  /** Reads literal text up to `close` (code, pre, link URL), honouring escapes; returns it and moves past `close`. */
  const readUntil = (close: string, openedAt: number): string => {
    let text = '';
    while (i < source.length) {
      const ch = source[i] as string;
      if (ch === '\\') {
        const next = source[i + 1];
        if (!isEscapable(next)) throw reserved('\\');
        text += next;
        i += 2;
      } else if (source.startsWith(close, i)) {
        i += close.length;
        return text;
      } else {
        text += ch;
        i += 1;
      }
    }
    throw unclosed(openedAt);
  };

  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    const atLineStart = i === 0 || source[i - 1] === '\n';
    switch (ch) {
      case '\\':
        if (!isEscapable(next)) throw reserved('\\');
        out += next;
        i += 2;
        break;
      case '*':
        toggle('bold', 1);
        break;
      case '_':
        if (next === '_') toggle('underline', 2);
        else toggle('italic', 1);
        break;
      case '~':
        toggle('strikethrough', 1);
        break;
      case '|':
        if (next !== '|') throw reserved('|');
        toggle('spoiler', 2);
        break;
      case '`': {
        const openedAt = byteAt(i);
        if (source.startsWith('```', i)) {
          i += 3;
          const body = readUntil('```', openedAt);
          const newline = body.indexOf('\n');
          // A first line without whitespace, followed by more lines, names the language.
          const hasLanguage = newline >= 0 && !/\s/.test(body.slice(0, newline));
          out += hasLanguage ? body.slice(newline + 1) : body;
        } else {
          i += 1;
          out += readUntil('`', openedAt);
        }
        break;
      }
      case '[':
        stack.push({ kind: 'link', byteOffset: byteAt(i) });
        i += 1;
        break;
      case ']': {
        if (stack.at(-1)?.kind !== 'link' || next !== '(') throw reserved(']');
        const openedAt = byteAt(i);
        stack.pop();
        i += 2;
        readUntil(')', openedAt); // the URL is not part of the visible text
        break;
      }
      case '>':
        if (!atLineStart) throw reserved('>');
        i += 1;
        break;
      default:
        if (RESERVED_OUTSIDE.has(ch)) throw reserved(ch);
        out += ch;
        i += 1;
    }
  }
  const first = stack[0];
  if (first !== undefined) throw unclosed(first.byteOffset);
  return out;
}
