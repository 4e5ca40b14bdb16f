/**
 * The indicator layer after the update job: the `features` dataset holds one row per stored
 * candle, with the same numbers lib/indicators gives on the whole series, and an incremental
 * run writes only the new rows — which equal a from-scratch computation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeatureSpec } from '../../../lib/features/definitions.ts';
import { rsi, sma } from '../../../lib/indicators/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { updateHarness } from '../../harness/update-fixture.ts';

const H = 3_600_000;
const NOW = Date.UTC(2024, 5, 10, 0, 31);
const universe = { universe: { symbols: ['BTC/USDT'], timeframes: ['1h' as const] } };

let standIn: BinanceStandIn;
beforeAll(async () => {
  standIn = await startBinanceStandIn();
});
afterAll(async () => {
  await standIn.close();
});

describe('parseFeatureSpec', () => {
  it.each([
    ['sma:20', ['sma_20']],
    ['bollinger:20:2', ['bb_lower_20_2', 'bb_middle_20_2', 'bb_upper_20_2']],
    ['macd:12:26:9', ['macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9']],
    ['donchian:55', ['donchian_lower_55', 'donchian_upper_55']],
  ])('%s -> %j', (spec, columns) => {
    expect(parseFeatureSpec(spec).columns).toEqual(columns);
  });
  it.each([['wma:3', /unknown feature "wma"/], ['sma', /needs 1 positive number/], ['macd:12:26', /needs 3 positive numbers/], ['rsi:-3', /positive/]])(
    '%s is refused',
    (spec, message) => {
      expect(() => parseFeatureSpec(spec)).toThrow(message);
    },
  );
});

describe.each(lakeBackends)('features after the update job on a $name', (backend) => {
  it('one row per candle, equal to indicators over the whole series; incremental rows equal a full recompute', async () => {
    const { store, url } = await backend.open();
    const h = updateHarness(store, url, standIn, NOW);
    const first = await h.run({}, { ...universe, features: { indicators: ['sma:20', 'rsi:14', 'macd:12:26:9'] } });
    expect(first.details.features).toMatchObject({ series: 1, rowsWritten: 239, objectsWritten: 1, failures: [] });

    const check = async (expectedRows: number) => {
      const rows = await h.rows(
        "SELECT epoch_ms(f.open_time)::DOUBLE AS t, o.close, f.sma_20, f.rsi_14, f.macd_signal_12_26_9 FROM ohlcv o " +
          "JOIN features f USING (symbol, timeframe, open_time) WHERE symbol = 'BTC/USDT' AND timeframe = '1h' ORDER BY t",
      );
      expect(rows).toHaveLength(expectedRows);
      const close = Float64Array.from(rows.map((r) => r['close'] as number));
      const expectedSma = sma(close, 20);
      const expectedRsi = rsi(close, 14);
      rows.forEach((row, i) => {
        if (Number.isNaN(expectedSma[i])) expect(row['sma_20']).toBeNull();
        else expect(row['sma_20']).toBeCloseTo(expectedSma[i]!, 9);
        if (Number.isNaN(expectedRsi[i])) expect(row['rsi_14']).toBeNull();
        else expect(row['rsi_14']).toBeCloseTo(expectedRsi[i]!, 9);
      });
      expect(rows[18]!['sma_20']).toBeNull();
      expect(rows[19]!['sma_20']).toBeCloseTo(close.slice(0, 20).reduce((a, b) => a + b, 0) / 20, 9);
      expect(rows[32]!['macd_signal_12_26_9']).toBeNull();
      expect(rows[33]!['macd_signal_12_26_9']).not.toBeNull();
    };
    await check(239);

    h.clock.advance(3 * H);
    const second = await h.run({}, { ...universe, features: { indicators: ['sma:20', 'rsi:14', 'macd:12:26:9'] } });
    expect(second.details.features).toMatchObject({ series: 1, rowsWritten: 3, objectsWritten: 1 });
    await check(242);
    const [dups] = await h.rows('SELECT count(*)::INTEGER AS n, count(DISTINCT open_time)::INTEGER AS d FROM features');
    expect(dups).toEqual({ n: 242, d: 242 });

    const third = await h.run({}, { ...universe, features: { indicators: ['sma:20', 'rsi:14', 'macd:12:26:9'] } });
    expect(third.details.features).toMatchObject({ series: 0, rowsWritten: 0 });
  });
});
