import { describe, expect, it } from 'vitest';
import { alignDown, alignUp, isAligned, isClosed, lastClosedOpenTime, timeframeMs } from '../../../lib/candles/timeframe.ts';

const t = (iso: string) => Date.parse(iso);

describe('timeframe arithmetic', () => {
  it.each([
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
  ] as const)('%s lasts %d ms', (tf, ms) => {
    expect(timeframeMs(tf)).toBe(ms);
  });

  it.each([
    ['15m', '2024-03-01T10:37:12Z', '2024-03-01T10:30:00Z', '2024-03-01T10:45:00Z'],
    ['1h', '2024-03-01T10:37:12Z', '2024-03-01T10:00:00Z', '2024-03-01T11:00:00Z'],
    ['4h', '2024-03-01T10:37:12Z', '2024-03-01T08:00:00Z', '2024-03-01T12:00:00Z'],
    ['1d', '2024-03-01T10:37:12Z', '2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'],
  ] as const)('%s aligns %s down to %s and up to %s (UTC)', (tf, at, down, up) => {
    expect(alignDown(t(at), tf)).toBe(t(down));
    expect(alignUp(t(at), tf)).toBe(t(up));
    expect(isAligned(t(down), tf)).toBe(true);
    expect(isAligned(t(at), tf)).toBe(false);
  });

  it('the newest closed candle is the one before the current window', () => {
    expect(lastClosedOpenTime(t('2024-03-01T00:31:00Z'), '15m')).toBe(t('2024-03-01T00:15:00Z'));
    expect(lastClosedOpenTime(t('2024-03-01T00:30:00Z'), '15m')).toBe(t('2024-03-01T00:15:00Z'));
    expect(lastClosedOpenTime(t('2024-03-01T00:30:00Z'), '1d')).toBe(t('2024-02-29T00:00:00Z'));
  });

  it('a candle is closed exactly when its window has passed', () => {
    const open = t('2024-03-01T00:00:00Z');
    expect(isClosed(open, '1h', t('2024-03-01T00:59:59.999Z'))).toBe(false);
    expect(isClosed(open, '1h', t('2024-03-01T01:00:00Z'))).toBe(true);
  });
});
