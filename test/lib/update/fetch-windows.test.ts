import { describe, expect, it } from 'vitest';
import { fetchWindows } from '../../../lib/update/fetch-windows.ts';

const H = 3_600_000;
const D = 24 * H;
const day0 = Date.UTC(2024, 5, 10);

describe('fetchWindows', () => {
  it('an empty series starts initialLookbackDays back and stops at the newest closed candle', () => {
    const now = day0 + 30 * 60_000; // 00:30
    expect(fetchWindows(undefined, '1h', now, 2)).toEqual([{ fromMs: day0 - 2 * D + H, toMs: day0 - H }]);
  });

  it('an incremental run fetches only after the last stored candle', () => {
    const now = day0 + 2 * H + 10 * 60_000; // 02:10
    expect(fetchWindows({ firstMs: day0 - D, lastMs: day0 }, '1h', now, 365)).toEqual([{ fromMs: day0 + H, toMs: day0 + H }]);
  });

  it('an up-to-date series needs nothing', () => {
    const now = day0 + H + 1;
    expect(fetchWindows({ firstMs: day0 - D, lastMs: day0 }, '1h', now, 365)).toEqual([]);
  });

  it('--since before the stored data adds a head window that stops before the first stored candle', () => {
    const now = day0 + 2 * H;
    expect(fetchWindows({ firstMs: day0 - D, lastMs: day0 }, '1h', now, 365, day0 - 3 * D + 1)).toEqual([
      { fromMs: day0 - 3 * D + H, toMs: day0 - D - H },
      { fromMs: day0 + H, toMs: day0 + H },
    ]);
  });

  it('--since on an empty series replaces the default lookback', () => {
    expect(fetchWindows(undefined, '1d', day0 + H, 365, day0 - 10 * D)).toEqual([{ fromMs: day0 - 10 * D, toMs: day0 - D }]);
  });
});
