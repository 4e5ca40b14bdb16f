/**
 * The update job (00:30 UTC): brings every (symbol, timeframe) of the universe up to date in
 * the lake, stores the exchange's market metadata, and writes a run record. One series failing
 * never stops the others; a second concurrent run finds the lease taken and steps aside.
 */
import pLimit from 'p-limit';
import { addRejections } from '../candles/validate.ts';
import { updateFeatures } from '../features/index.ts';
import { ExchangeUnreachableError, RegionBlockedError } from '../exchange/errors.ts';
import type { MarketInfo } from '../exchange/types.ts';
import { parseOhlcvSeriesKey } from '../lake/keys.ts';
import { acquireLease, type Lease } from '../lake/lease.ts';
import { marketsWrite } from '../lake/markets-store.ts';
import { markRunAbandoned, newRunId, writeRunRecord, type RunOutcome } from '../lake/run-records.ts';
import { LeaseLostError } from './errors.ts';
import { emptySeriesReport, updateSeries } from './series.ts';
import type { Finding, UpdateDeps, UpdateDetails, UpdateFailure, UpdateInput, UpdateResult } from './types.ts';
import { resolveUniverse } from './universe.ts';

export type * from './types.ts';
export { LeaseLostError } from './errors.ts';

const JOB = 'update';

async function storedSymbols(deps: UpdateDeps): Promise<Set<string>> {
  const keys = await deps.store.list(`exchange=${deps.exchange.id}/dataset=ohlcv/`);
  return new Set(keys.map((o) => parseOhlcvSeriesKey(o.key)?.symbol).filter((s): s is string => s !== undefined));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function outcomeOf(details: UpdateDetails, seriesTotal: number): RunOutcome {
  const failedSeries = details.series.filter((s) => !s.ok).length;
  if (details.failures.length === 0) return 'succeeded';
  if (seriesTotal > 0 && failedSeries >= seriesTotal) return 'failed';
  return 'partial';
}

function summarize(details: UpdateDetails, outcome: RunOutcome): string {
  const ok = details.series.filter((s) => s.ok).length;
  const t = details.totals;
  return (
    `${outcome}: ${ok}/${details.series.length} series updated, ${t.candlesWritten} candles written, ` +
    `${details.failures.length} failures, ${details.weight.weightUsed} request weight`
  );
}

/**
 * Runs the update job once.
 * @example
 * const record = await runUpdate({ store, exchange, clock: systemClock, logger, config }, { trigger: 'cli' });
 * record.outcome // 'succeeded' | 'partial' | 'failed' | 'skipped'
 */
export async function runUpdate(deps: UpdateDeps, input: UpdateInput): Promise<UpdateResult> {
  const { store, exchange, clock, logger, config } = deps;
  const startedAtMs = clock.nowMs();
  const runId = input.runId ?? newRunId(JOB, startedAtMs);
  const details: UpdateDetails = {
    exchange: exchange.id,
    lake: store.url,
    timeframes: [...config.universe.timeframes],
    symbols: [...config.universe.symbols],
    ...(input.sinceMs !== undefined ? { sinceMs: input.sinceMs } : {}),
    series: [],
    failures: [],
    findings: [],
    totals: { candlesFetched: 0, candlesWritten: 0, rejected: {}, objectsWritten: 0, bytesWritten: 0 },
    weight: exchange.weightReport(),
  };
  const record: UpdateResult = {
    job: JOB, runId, trigger: input.trigger, startedAt: new Date(startedAtMs).toISOString(),
    outcome: 'running', summary: 'running', details,
  };
  const finish = async (outcome: RunOutcome, summary?: string): Promise<UpdateResult> => {
    details.weight = exchange.weightReport();
    record.outcome = outcome;
    record.endedAt = new Date(clock.nowMs()).toISOString();
    record.summary = summary ?? summarize(details, outcome);
    await writeRunRecord(store, record);
    if (outcome === 'succeeded') logger.info(record.summary, { runId, outcome });
    else logger.warn(record.summary, { runId, outcome });
    return record;
  };
  const critical = (finding: Omit<Finding, 'severity'>) => {
    details.findings.push({ severity: 'CRITICAL', ...finding });
    logger.error(finding.text, { runId, severity: 'CRITICAL', key: finding.key });
  };

  // 1. What the exchange lists. Nothing is written before the universe checks out.
  let markets: Map<string, MarketInfo>;
  try {
    markets = await exchange.loadMarkets();
  } catch (error) {
    if (error instanceof RegionBlockedError) critical({ key: `${JOB}:region-blocked`, text: error.message });
    else if (error instanceof ExchangeUnreachableError) critical({ key: `${JOB}:exchange-unreachable`, text: error.message });
    else critical({ key: `${JOB}:markets-failed`, text: `loading ${exchange.id} markets failed: ${errorText(error)}` });
    details.failures.push({ symbol: '*', reason: errorText(error) });
    return finish('failed', `failed: ${errorText(error)}`);
  }
  const universe = resolveUniverse(config.universe.symbols, markets, await storedSymbols(deps), exchange.id);

  // 2. One run at a time.
  const attempt = await acquireLease(store, { name: JOB, runId, ttlMs: config.update.leaseTtlMs, clock });
  if (!attempt.acquired) {
    const h = attempt.holder;
    details.heldBy = h;
    const text = `skipped: update run ${h.runId} (pid ${h.pid} on ${h.host}, since ${new Date(h.acquiredAtMs).toISOString()}) holds the lease`;
    logger.info(text, { runId });
    record.outcome = 'skipped';
    record.endedAt = new Date(clock.nowMs()).toISOString();
    record.summary = text;
    return record; // no record written: the holder's record is the one that counts
  }
  const lease: Lease = attempt.lease;
  if (attempt.tookOverFrom) {
    details.tookOverFrom = attempt.tookOverFrom;
    const prev = attempt.tookOverFrom;
    await markRunAbandoned(store, JOB, prev.runId, prev.acquiredAtMs, clock.nowMs());
    logger.warn(`took over the abandoned lease of run ${prev.runId}`, { runId });
  }
  const renewTimer = setInterval(() => {
    lease.renew().catch((error: unknown) => logger.warn(`lease renewal failed: ${errorText(error)}`, { runId }));
  }, Math.max(1_000, Math.floor(config.update.leaseTtlMs / 3)));
  renewTimer.unref();

  try {
    await writeRunRecord(store, record);
    for (const { symbol, reason } of universe.delisted) details.failures.push({ symbol, reason });

    // 3. Market metadata: the backtest takes lot steps from it.
    const fetchedAtMs = clock.nowMs();
    const allMarkets = [...markets.values()];
    const written = await marketsWrite(store, exchange.id, allMarkets, fetchedAtMs);
    details.markets = { key: written.key, count: allMarkets.length };

    // 4. Every series, a few at a time; ccxt's limiter and the weight budget pace the requests.
    const nowMs = clock.nowMs();
    const jobs = universe.tradable.flatMap((symbol) => config.universe.timeframes.map((timeframe) => ({ symbol, timeframe })));
    const limit = pLimit(config.update.concurrency);
    let done = 0;
    let regionBlocked: RegionBlockedError | undefined;
    await Promise.all(
      jobs.map(({ symbol, timeframe }) =>
        limit(async () => {
          const report = emptySeriesReport(symbol, timeframe);
          details.series.push(report);
          try {
            await updateSeries(
              {
                store, exchange, symbol, timeframe, nowMs,
                initialLookbackDays: config.update.initialLookbackDays,
                flushEveryCandles: config.update.flushEveryCandles,
                ...(input.sinceMs !== undefined ? { sinceMs: input.sinceMs } : {}),
                assertMayWrite: () => {
                  if (!lease.held) throw new LeaseLostError(JOB);
                },
              },
              report,
            );
            logger.debug('series updated', { runId, symbol, timeframe, written: report.written, pages: report.pages });
          } catch (error) {
            report.ok = false;
            report.error = errorText(error);
            if (error instanceof RegionBlockedError) regionBlocked = error;
            const failure: UpdateFailure = { symbol, timeframe, reason: report.error };
            details.failures.push(failure);
            if (!(error instanceof RegionBlockedError)) {
              logger.warn('series failed', { runId, symbol, timeframe, reason: failure.reason, kind: (error as Error).name });
            }
          } finally {
            done += 1;
            details.totals.candlesFetched += report.fetched;
            details.totals.candlesWritten += report.written;
            details.totals.objectsWritten += report.objectsWritten;
            details.totals.bytesWritten += report.bytesWritten;
            addRejections(details.totals.rejected, report.rejected);
            deps.onProgress?.({
              seriesDone: done, seriesTotal: jobs.length,
              candlesWritten: details.totals.candlesWritten, lastSeries: `${symbol} ${timeframe}`,
            });
          }
        }),
      ),
    );
    if (regionBlocked) critical({ key: `${JOB}:region-blocked`, text: regionBlocked.message });

    // 5. The indicator layer, for every series that is now ahead of its features.
    if (config.features.enabled) {
      if (!lease.held) throw new LeaseLostError(JOB);
      const updated = details.series.filter((s) => s.ok).map((s) => ({ exchange: exchange.id, symbol: s.symbol, timeframe: s.timeframe }));
      details.features = await updateFeatures({ store, logger }, updated, config.features.indicators);
      if (details.features.failures.length > 0) {
        details.findings.push({
          severity: 'WARNING', key: `${JOB}:features-failed`,
          text: `features failed for ${details.features.failures.length} series (${details.features.failures[0]!.symbol} ${details.features.failures[0]!.timeframe}: ${details.features.failures[0]!.reason})`,
        });
      }
    }
    const rejectedTotal = Object.values(details.totals.rejected).reduce((a, b) => a + (b ?? 0), 0);
    if (rejectedTotal > 0) {
      details.findings.push({
        severity: 'WARNING', key: `${JOB}:rejected-rows`,
        text: `${rejectedTotal} bad rows from ${exchange.id} rejected (${JSON.stringify(details.totals.rejected)})`,
      });
    }
    details.series.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe));
    return await finish(outcomeOf(details, jobs.length));
  } catch (error) {
    details.failures.push({ symbol: '*', reason: errorText(error) });
    await finish('failed', `failed: ${errorText(error)}`);
    throw error;
  } finally {
    clearInterval(renewTimer);
    await lease.release();
  }
}
