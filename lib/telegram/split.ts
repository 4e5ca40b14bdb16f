/**
 * Splitting MarkdownV2 text into messages Telegram accepts. Pure.
 *
 * Rule: cut only after a newline, so an entity that opens and closes on one line is never torn
 * (entities that span lines are the caller's to avoid). A single line longer than the limit is
 * hard-split, preferably after a space, never right after an escaping backslash and never
 * between the two halves of a surrogate pair. Cutting on the raw text is conservative: Telegram
 * counts the text after entity parsing, which is never longer.
 */

/** Telegram's limit for one message's text. */
export const TELEGRAM_MAX_TEXT_CHARS = 4096;

/**
 * Splits text into chunks of at most `limit` UTF-16 code units; `chunks.join('') === text`.
 * Newlines at a cut stay at the end of the earlier chunk. Empty text gives no chunks.
 * @example splitMessage('line one\nline two', 10) // ['line one\n', 'line two']
 */
export function splitMessage(text: string, limit: number = TELEGRAM_MAX_TEXT_CHARS): string[] {
  if (!(Number.isInteger(limit) && limit >= 2)) throw new RangeError(`split limit must be an integer ≥ 2, got ${limit}`);
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const newline = rest.lastIndexOf('\n', limit - 1);
    const cut = newline >= 0 ? newline + 1 : hardCut(rest, limit);
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}

/** Where to cut a line with no newline within `limit`: after the last space if any, then moved back to a safe position. */
function hardCut(line: string, limit: number): number {
  const space = line.lastIndexOf(' ', limit - 1);
  let cut = space > 0 ? space + 1 : limit;
  while (cut > 1 && !isSafeCut(line, cut)) cut -= 1;
  return cut;
}

/** A cut before index `cut` is safe unless it separates `\` from the character it escapes, or a surrogate pair. */
function isSafeCut(text: string, cut: number): boolean {
  let backslashes = 0;
  while (cut - 1 - backslashes >= 0 && text[cut - 1 - backslashes] === '\\') backslashes += 1;
  if (backslashes % 2 === 1) return false;
  const code = text.charCodeAt(cut);
  return !(code >= 0xdc00 && code <= 0xdfff);
}
