/** startReplayExchange: Binance (garch, labelled synthetic) + alternative.me on loopback, with its exchange-side gaps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayGaps, startReplayExchange, type ReplayExchange } from '../../../lib/replay-exchange/index.ts';

const NOW_MS = Date.UTC(2024, 5, 10, 12, 7);
const TODAY_MS = Date.UTC(2024, 5, 10);
const DAY_MS = 86_400_000;
const Q_MS = 15 * 60_000;

let replay: ReplayExchange;

beforeAll(async () => {
  replay = await startReplayExchange({ days: 30, gapSymbols: ['BTCUSDT', 'ETHUSDT'], now: () => NOW_MS });
});
afterAll(async () => {
  await replay.close();
});

async function openTimes(symbol: string, startTime: number, limit: number): Promise<number[]> {
  const rows = (await (await fetch(`${replay.binanceUrl}/api/v3/klines?symbol=${symbol}&interval=15m&startTime=${startTime}&limit=${limit}`)).json()) as number[][];
  return rows.map((row) => row[0]!);
}

describe('startReplayExchange', () => {
  it('places a 45-minute outage on the gap symbols and a 2-hour gap on the first', () => {
    const outage = TODAY_MS - 18 * DAY_MS + 9 * 3_600_000;
    const second = TODAY_MS - 9 * DAY_MS + 14 * 3_600_000;
    expect(replay.gaps).toEqual([
      { symbol: 'BTCUSDT', fromMs: outage, toMs: outage + 3 * Q_MS },
      { symbol: 'ETHUSDT', fromMs: outage, toMs: outage + 3 * Q_MS },
      { symbol: 'BTCUSDT', fromMs: second, toMs: second + 8 * Q_MS },
    ]);
    expect(replayGaps(TODAY_MS, 30, [])).toEqual([]);
  });

  it('serves the gaps as missing 15m candles, only on their symbols', async () => {
    const outage = replay.gaps[0]!.fromMs;
    const before = outage - 2 * Q_MS;
    expect(await openTimes('BTCUSDT', before, 4)).toEqual([before, before + Q_MS, outage + 3 * Q_MS, outage + 4 * Q_MS]);
    expect(await openTimes('SOLUSDT', before, 4)).toEqual([0, 1, 2, 3].map((k) => before + k * Q_MS));
  });

  it('lists markets 30 days before the history starts, and serves fear & greed from then', async () => {
    const listedAt = TODAY_MS - 60 * DAY_MS;
    expect(await openTimes('BTCUSDT', 0, 1)).toEqual([listedAt]);
    const fng = (await (await fetch(`${replay.fearGreedUrl}/fng/?limit=0`)).json()) as { data: Array<{ timestamp: string }> };
    expect(fng.data).toHaveLength(61);
    expect(fng.data.at(-1)?.timestamp).toBe(String(listedAt / 1000));
  });

  it('labels itself synthetic in exchangeInfo', async () => {
    const info = (await (await fetch(`${replay.binanceUrl}/api/v3/exchangeInfo`)).json()) as { synthetic?: string };
    expect(info.synthetic).toMatch(/^candlelake replay exchange: synthetic/);
  });
});
