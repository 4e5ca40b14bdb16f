import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { optionalTimeFlag, parseTimeFlag } from '../../../lib/cli/time-flag.ts';

const H = 3_600_000;
const NOW = Date.parse('2026-11-29T22:00:00Z');

describe('parseTimeFlag', () => {
  it('reads relative times against now', () => {
    expect(parseTimeFlag('--to', '-48h', NOW)).toBe(Date.parse('2026-11-27T22:00:00Z'));
    expect(parseTimeFlag('--to', '-90m', NOW)).toBe(Date.parse('2026-11-29T20:30:00Z'));
    expect(parseTimeFlag('--to', '-7d', NOW)).toBe(Date.parse('2026-11-22T22:00:00Z'));
    expect(parseTimeFlag('--to', ' -1H ', NOW)).toBe(NOW - H);
  });

  it('reads ISO 8601 timestamps; without a zone they are UTC', () => {
    expect(parseTimeFlag('--to', '2026-11-29T03:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 29, 3));
    expect(parseTimeFlag('--to', '2026-11-29T03:00:00.250Z', NOW)).toBe(Date.UTC(2026, 10, 29, 3, 0, 0, 250));
    expect(parseTimeFlag('--to', '2026-11-29T03:00+01:00', NOW)).toBe(Date.UTC(2026, 10, 29, 2));
    expect(parseTimeFlag('--to', '2026-11-29T03:00:00-0530', NOW)).toBe(Date.UTC(2026, 10, 29, 8, 30));
    expect(parseTimeFlag('--to', '2026-11-29T03:00', NOW)).toBe(Date.UTC(2026, 10, 29, 3));
    expect(parseTimeFlag('--since', '2026-11-29', NOW)).toBe(Date.UTC(2026, 10, 29));
  });

  it.each(['', '48h', '+2h', '-2w', '-h', '-1.5h', 'yesterday', '2026-02-30', '2026-11-29T25:00Z', '2026-11-29Z', '1764453600000', '2026-11-29T03:00:00+25:00'])(
    'rejects %j naming the flag',
    (value) => {
      expect(() => parseTimeFlag('--to', value, NOW)).toThrow(ConfigError);
      expect(() => parseTimeFlag('--to', value, NOW)).toThrow(`Invalid option --to: "${value}" is not a time (use -90m, -48h, -7d, or an ISO 8601 time`);
    },
  );
});

describe('optionalTimeFlag', () => {
  it('is undefined when the flag is absent, the parsed time when given, and names its own flag when wrong', () => {
    expect(optionalTimeFlag('--from', undefined, NOW)).toBeUndefined();
    expect(optionalTimeFlag('--from', '-30d', NOW)).toBe(NOW - 30 * 24 * 3_600_000);
    expect(() => optionalTimeFlag('--from', '2024-13-01', NOW)).toThrow('Invalid option --from: "2024-13-01"');
  });
});
