import { describe, expect, it } from 'vitest';
import type { Timeframe } from '../../../../lib/config/universe.ts';
import { DEFAULT_STALENESS, expectedNewestOpenTime, stalenessFinding } from '../../../../lib/validate/rules/staleness.ts';

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const series = (timeframe: Timeframe) => ({ exchange: 'binance', symbol: 'BTC/USDT', timeframe });

// What the 00:30 UTC update of 2024-06-01 stores: the newest candle closed at 00:30.
const STORED_BY_JUNE_1_RUN: ReadonlyArray<readonly [Timeframe, string]> = [
  ['15m', '2024-06-01T00:15:00Z'],
  ['1h', '2024-05-31T23:00:00Z'],
  ['4h', '2024-05-31T20:00:00Z'],
  ['1d', '2024-05-31T00:00:00Z'],
];

describe('DEFAULT_STALENESS', () => {
  it.each([
    ['15m', 15 * MIN, 2 * H],
    ['1h', H, 6 * H],
    ['4h', 4 * H, 24 * H],
    ['1d', D, 7 * D],
  ] as const)('%s warns from one candle (%d ms) and is critical over %d ms', (tf, warningLagMs, criticalLagMs) => {
    expect(DEFAULT_STALENESS[tf]).toEqual({ warningLagMs, criticalLagMs });
  });
});

describe('expectedNewestOpenTime', () => {
  it.each([
    // now, timeframe, expected: the run the schedule last started at least 20 min ago, its newest closed candle
    ['2024-06-01T01:00:00Z', '15m', '2024-06-01T00:15:00Z'],
    ['2024-06-01T01:00:00Z', '1h', '2024-05-31T23:00:00Z'],
    ['2024-06-01T01:00:00Z', '4h', '2024-05-31T20:00:00Z'],
    ['2024-06-01T01:00:00Z', '1d', '2024-05-31T00:00:00Z'],
    ['2024-06-01T23:59:00Z', '15m', '2024-06-01T00:15:00Z'],
    ['2024-06-01T23:59:00Z', '1d', '2024-05-31T00:00:00Z'],
    // grace: the run of 00:30 counts from 00:50 on (inclusive)
    ['2024-06-01T00:35:00Z', '1h', '2024-05-30T23:00:00Z'],
    ['2024-06-01T00:49:59.999Z', '1h', '2024-05-30T23:00:00Z'],
    ['2024-06-01T00:50:00Z', '1h', '2024-05-31T23:00:00Z'],
    // across a month and a year end
    ['2025-01-01T06:00:00Z', '1d', '2024-12-31T00:00:00Z'],
    ['2025-01-01T00:10:00Z', '1d', '2024-12-30T00:00:00Z'],
  ] as const)('at %s on %s: %s', (now, tf, expected) => {
    expect(expectedNewestOpenTime(t(now), tf)).toBe(t(expected));
  });

  it.each([
    // cron, grace, now, timeframe, expected
    ['0 */6 * * *', 0, '2024-06-01T13:00:00Z', '1h', '2024-06-01T11:00:00Z'],
    ['0 */6 * * *', 0, '2024-06-01T12:00:00Z', '4h', '2024-06-01T08:00:00Z'],
    ['30 0 * * *', 90 * MIN, '2024-06-01T01:30:00Z', '1h', '2024-05-30T23:00:00Z'],
  ] as const)('with cron %s and grace %d ms at %s on %s: %s', (updateCron, graceMs, now, tf, expected) => {
    expect(expectedNewestOpenTime(t(now), tf, { updateCron, graceMs })).toBe(t(expected));
  });
});

describe('the same lake validated at 01:00 and at 23:59 on a day when the update ran on time reports no staleness at either time', () => {
  const expectedAt = (now: string, tf: Timeframe) => expectedNewestOpenTime(t(now), tf);

  it.each(STORED_BY_JUNE_1_RUN)('%s: nothing at 01:00, 23:59, or at 00:35 the next day (grace)', (tf, storedLast) => {
    for (const now of ['2024-06-01T01:00:00Z', '2024-06-01T23:59:00Z', '2024-06-02T00:35:00Z']) {
      expect(stalenessFinding(series(tf), t(storedLast), expectedAt(now, tf))).toBeUndefined();
    }
  });

  it.each([
    // the 2024-06-02 update was missed: every series one day behind
    ['15m', 'CRITICAL', 96],
    ['1h', 'CRITICAL', 24],
    ['4h', 'WARNING', 6],
    ['1d', 'WARNING', 1],
  ] as const)('%s at 01:00 the next day, update missed: %s, %d candles behind', (tf, severity, candlesBehind) => {
    const storedLast = STORED_BY_JUNE_1_RUN.find(([x]) => x === tf)![1];
    const finding = stalenessFinding(series(tf), t(storedLast), expectedAt('2024-06-02T01:00:00Z', tf));
    expect(finding?.severity).toBe(severity);
    expect(finding?.details).toMatchObject({ lagMs: D, candlesBehind });
  });

  it.each(STORED_BY_JUNE_1_RUN)('%s one candle behind at 01:00 is a WARNING', (tf) => {
    const expected = expectedAt('2024-06-01T01:00:00Z', tf);
    const step = DEFAULT_STALENESS[tf].warningLagMs;
    const finding = stalenessFinding(series(tf), expected - step, expected);
    expect(finding?.severity).toBe('WARNING');
    expect(finding?.details).toMatchObject({ lagMs: step, candlesBehind: 1 });
  });
});

describe('stalenessFinding', () => {
  const expected = t('2024-06-10T00:00:00Z');

  it.each([
    // timeframe, lag, severity (undefined: no finding)
    ['1d', 0, undefined],
    ['1d', -D, undefined],
    ['1d', D, 'WARNING'],
    ['1d', 7 * D, 'WARNING'],
    ['1d', 8 * D, 'CRITICAL'],
    ['4h', 24 * H, 'WARNING'],
    ['4h', 28 * H, 'CRITICAL'],
    ['1h', 6 * H, 'WARNING'],
    ['1h', 7 * H, 'CRITICAL'],
    ['15m', 2 * H, 'WARNING'],
    ['15m', 2 * H + 15 * MIN, 'CRITICAL'],
    ['1h', 30 * MIN, 'INFO'],
  ] as const)('%s lagging %d ms -> %s', (tf, lagMs, severity) => {
    expect(stalenessFinding(series(tf), expected - lagMs, expected)?.severity).toBe(severity);
  });

  it('a series with no data is not stale (coverage reports it)', () => {
    expect(stalenessFinding(series('1h'), undefined, expected)).toBeUndefined();
  });

  it('reports a stable key, the lag and both times', () => {
    const finding = stalenessFinding(series('1h'), expected - 3 * H, expected);
    expect(finding).toEqual({
      kind: 'stale',
      severity: 'WARNING',
      key: 'validate:stale:binance:BTC/USDT:1h',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      text: 'BTC/USDT 1h is 3 candles behind: last 2024-06-09 21:00Z, expected 2024-06-10 00:00Z',
      details: {
        lagMs: 3 * H,
        candlesBehind: 3,
        storedLast: '2024-06-09T21:00:00.000Z',
        expected: '2024-06-10T00:00:00.000Z',
        storedLastMs: expected - 3 * H,
        expectedMs: expected,
      },
    });
  });

  it('takes custom thresholds', () => {
    const thresholds = { warningLagMs: 2 * H, criticalLagMs: 3 * H };
    expect(stalenessFinding(series('1h'), expected - H, expected, thresholds)?.severity).toBe('INFO');
    expect(stalenessFinding(series('1h'), expected - 4 * H, expected, thresholds)?.severity).toBe('CRITICAL');
  });
});
