/** splitMessage: chunks within the limit, cut at newlines, never through an escape; nothing lost. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../../lib/telegram/split.ts';

function endsInsideEscape(chunk: string): boolean {
  const trailing = /\\+$/.exec(chunk)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

describe('splitMessage', () => {
  it.each([
    ['', 10, []],
    ['short', 10, ['short']],
    ['exactly10!', 10, ['exactly10!']],
    ['line one\nline two', 10, ['line one\n', 'line two']],
    ['aaaa\nbbbb\ncccc', 10, ['aaaa\nbbbb\n', 'cccc']],
    ['aaaa bbbb cccc', 10, ['aaaa bbbb ', 'cccc']],
    ['aaa bbbbbbbbbb', 10, ['aaa ', 'bbbbbbbbbb']],
    ['aaaaaaaaa\\.b', 10, ['aaaaaaaaa', '\\.b']],
    ['aaaaaaaaaaaa', 10, ['aaaaaaaaaa', 'aa']],
  ])('splits %j at %i', (text, limit, chunks) => {
    expect(splitMessage(text, limit)).toEqual(chunks);
  });

  it('keeps every chunk within the limit, loses nothing, cuts at newlines when lines fit', () => {
    const line = fc.string({ unit: fc.constantFrom('a', ' ', '\\', '*', '.', '😀'), maxLength: 30 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.integer({ min: 2, max: 80 }), (lines, limit) => {
        const text = lines.join('\n');
        const chunks = splitMessage(text, limit);
        expect(chunks.join('')).toBe(text);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(limit);
        }
        if (lines.every((l) => l.length + 1 <= limit)) {
          for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('\n')).toBe(true);
        }
        for (const chunk of chunks.slice(0, -1)) {
          // An escaped pair is kept whole unless the line is nothing but backslashes.
          if (/[^\\]/.test(chunk)) expect(endsInsideEscape(chunk)).toBe(false);
          expect(/[\ud800-\udbff]$/.test(chunk)).toBe(false);
        }
      }),
    );
  });

  it('rejects a limit below 2', () => {
    expect(() => splitMessage('abc', 1)).toThrow(RangeError);
  });
});
