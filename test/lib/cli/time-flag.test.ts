import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { parseTimeFlag } from '../../../lib/cli/time-flag.ts';

const NOW = Date.UTC(2024, 5, 10, 12, 0);

describe('parseTimeFlag', () => {
  it.each([
    ['-48h', Date.UTC(2024, 5, 8, 12)],
    ['-90m', Date.UTC(2024, 5, 10, 10, 30)],
    ['-7d', Date.UTC(2024, 5, 3, 12)],
    ['-1.5h', Date.UTC(2024, 5, 10, 10, 30)],
    ['2024-06-01', Date.UTC(2024, 5, 1)],
    ['2024-06-01T03:15:00Z', Date.UTC(2024, 5, 1, 3, 15)],
    ['2024-06-01T05:15:00+02:00', Date.UTC(2024, 5, 1, 3, 15)],
  ])('%s', (value, expected) => {
    expect(parseTimeFlag('--to', value, NOW)).toBe(expected);
  });

  it.each(['48h', 'yesterday', '-48x', '', '06/01/2024', '2024-13-01'])('refuses %j naming the flag', (value) => {
    expect(() => parseTimeFlag('--to', value, NOW)).toThrow(ConfigError);
    expect(() => parseTimeFlag('--to', value, NOW)).toThrow(/^Invalid option --to: /);
  });
});
