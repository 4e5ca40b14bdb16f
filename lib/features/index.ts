/**
 * The indicator layer: after each update, the configured indicators are recomputed for the
 * series that changed and their new rows stored in the `features` dataset. Values are computed
 * over the series' whole stored history, so an incremental row equals a from-scratch one; only
 * rows after the last stored feature row are written.
 */
import type { Timeframe } from '../config/universe.ts';
import type { SeriesId } from '../lake/keys.ts';
import { ohlcvListParts, ohlcvReadSeries, ohlcvStoredRange } from '../lake/ohlcv-store.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { parseFeatureSpec } from './definitions.ts';
import { featuresWrite } from './store.ts';

export { DEFAULT_FEATURES, parseFeatureSpec } from './definitions.ts';

export interface FeaturesReport {
  series: number;
  rowsWritten: number;
  objectsWritten: number;
  failures: Array<{ symbol: string; timeframe: Timeframe; reason: string }>;
}

/**
 * Brings the `features` of each given series up to its stored candles.
 * @example await updateFeatures({ store, logger }, [{ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }], DEFAULT_FEATURES);
 */
export async function updateFeatures(
  deps: { store: ObjectStore; logger: JobLogger },
  seriesList: readonly SeriesId[],
  specs: readonly string[],
): Promise<FeaturesReport> {
  const definitions = specs.map(parseFeatureSpec);
  const report: FeaturesReport = { series: 0, rowsWritten: 0, objectsWritten: 0, failures: [] };
  for (const series of seriesList) {
    try {
      const candleParts = await ohlcvListParts(deps.store, series);
      const candles = ohlcvStoredRange(candleParts);
      const done = ohlcvStoredRange(await ohlcvListParts(deps.store, series, 'features'));
      if (!candles || (done && done.lastMs >= candles.lastMs)) continue;
      const history = await ohlcvReadSeries(deps.store, series, candleParts);
      const columns = definitions.flatMap((d) => {
        const values = d.compute(history);
        return d.columns.map((name, i) => ({ name, values: values[i]! }));
      });
      // First row not yet stored: binary search past the last stored feature time.
      let from = 0;
      if (done) {
        let lo = 0;
        let hi = history.openTimeMs.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (history.openTimeMs[mid]! <= done.lastMs) lo = mid + 1;
          else hi = mid;
        }
        from = lo;
      }
      const keys = await featuresWrite(deps.store, series, history.openTimeMs, columns, from, history.openTimeMs.length);
      report.series += 1;
      report.rowsWritten += history.openTimeMs.length - from;
      report.objectsWritten += keys.length;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      report.failures.push({ symbol: series.symbol, timeframe: series.timeframe, reason });
      deps.logger.warn('features failed', { symbol: series.symbol, timeframe: series.timeframe, reason });
    }
  }
  return report;
}
