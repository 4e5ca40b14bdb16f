/**
 * The validate job (01:00 UTC, `candlelake validate`): staleness, coverage, continuity, sanity,
 * cross-timeframe agreement and lake health over the lake, with self-repair of ingestion gaps.
 * Its findings carry stable keys and one overall status; alerts, the digest and the health probe
 * read its report.
 */
import { timeframeMs } from '../candles/timeframe.ts';
import type { Timeframe } from '../config/universe.ts';
import { sharedDuckDb } from '../lake/duckdb.ts';
import { acquireLease } from '../lake/lease.ts';
import { mirrorLake } from '../lake/local-mirror.ts';
import { createLakeViews } from '../lake/query.ts';
import { newRunId, writeRunRecord } from '../lake/run-records.ts';
import { checkOhlcvObjects, objectsPerPartition } from './health.ts';
import { isKnown, loadKnownGaps, saveKnownGaps, type KnownGap } from './known-gaps.ts';
import { crossTimeframeMismatches, sentimentSeriesStats, seriesGaps, seriesStats, type GapRow } from './queries.ts';
import { repairGap } from './repair.ts';
import { storeValidateReport } from './report-store.ts';
import { coverageFindings } from './rules/coverage.ts';
import { gapFinding } from './rules/gaps.ts';
import { compactionFinding, schemaFinding, unreadableFinding } from './rules/health.ts';
import { crossTimeframeFinding, sanityFindings } from './rules/sanity.ts';
import { sentimentFindings } from './rules/sentiment.ts';
import { DEFAULT_STALENESS, expectedNewestOpenTime, stalenessFinding } from './rules/staleness.ts';
import { exitCodeForStatus, overallStatus } from './rules/status.ts';
import type { Finding, Severity } from './rules/types.ts';
import type { SeriesCell, ValidateDeps, ValidateInput, ValidateReport } from './types.ts';
import { OHLCV_EXPECTED } from './health.ts';

export type * from './types.ts';
export { exitCodeForStatus };

const JOB = 'validate';
const RANK: Record<Severity, number> = { OK: 0, INFO: 1, WARNING: 2, CRITICAL: 3 };
const CROSS_PAIRS: ReadonlyArray<[Timeframe, Timeframe]> = [['4h', '1h'], ['1d', '1h']];

/**
 * Validates the lake once.
 * @example
 * const report = await runValidate({ store, exchange, clock: systemClock, logger, config }, { trigger: 'cli' });
 * report.status // 'OK' | 'INFO' | 'WARNING' | 'CRITICAL'
 */
export async function runValidate(deps: ValidateDeps, input: ValidateInput): Promise<ValidateReport> {
  const { store, clock, logger, config } = deps;
  const started = performance.now();
  const nowMs = clock.nowMs();
  const runId = input.runId ?? newRunId(JOB, nowMs);
  const exchangeId = deps.exchange?.id ?? config.exchange.id;
  const symbols = config.universe.symbols;
  const timeframes = config.universe.timeframes;
  const findings: Finding[] = [];
  const repairs: ValidateReport['repairs'] = { attempted: 0, candlesWritten: 0, notRepaired: 0 };
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (phase: string) => {
    const now = performance.now();
    timings[phase] = Math.round(now - mark) / 1000;
    mark = now;
  };

  // Repairs write to the lake: they take the update job's lease, so the two never write at once.
  const wantRepair = (input.repair ?? config.validate.repair) === true && deps.exchange !== undefined;
  const lease = wantRepair ? await acquireLease(store, { name: 'update', runId, ttlMs: config.update.leaseTtlMs, clock }) : undefined;
  const mayWrite = lease?.acquired === true;
  if (lease && !lease.acquired) repairs.skippedReason = `update run ${lease.holder.runId} holds the lease`;

  // 1. Lake health first: a corrupt part must not break every query after it.
  let objects = await store.list(`exchange=${exchangeId}/`);
  const mirror = await mirrorLake(store, config.cacheDir, [`exchange=${exchangeId}/`, 'source=']);
  const connection = await (await sharedDuckDb()).connect();
  try {
    const problems = await checkOhlcvObjects(connection, objects, (key) => `${mirror.rootDir}/${key}`);
    for (const p of problems) {
      const finding = p.problem === 'unreadable' ? unreadableFinding(p.key, p.reason) : schemaFinding(p.key, OHLCV_EXPECTED, p.actual);
      if (mayWrite) {
        // Quarantine: keep the bytes for inspection, take them out of the lake; the candles they held
        // become a gap that the repair below re-fetches.
        const quarantineKey = await quarantineObject(store, p.key, runId);
        finding.text = `${finding.text} (moved to ${quarantineKey})`;
        finding.details = { ...finding.details, quarantinedTo: quarantineKey };
      }
      findings.push(finding);
    }
    if (mayWrite && problems.length > 0) objects = await store.list(`exchange=${exchangeId}/`);
    // Only the datasets compaction rewrites: a due finding must be something the backup can act on.
    for (const [partition, count] of objectsPerPartition(objects.filter((o) => /\/dataset=(ohlcv|features)\//.test(o.key)))) {
      const f = compactionFinding(partition, count, config.validate.maxObjectsPerPartition);
      if (f) findings.push(f);
    }
    await createLakeViews(connection, mirror.rootDir, { excludeKeys: new Set(problems.map((p) => p.key)) });
    lap('health');

    // 2. Per-series counts: staleness, sanity; coverage from what exists.
    const stats = await seriesStats(connection, { symbols, timeframes }, config.validate.jumpThresholdPct);
    const present = new Set(stats.map((s) => `${s.symbol}|${s.timeframe}`));
    const marketRows = (await connection.runAndReadAll(`SELECT symbol, status FROM markets WHERE exchange = '${exchangeId}'`)).getRows();
    const markets = new Map(marketRows.map(([symbol, status]) => [String(symbol), { listed: true, status: String(status) }]));
    // Without a market snapshot nothing can be called delisted: every configured symbol counts as listed.
    const marketStatus = new Map(symbols.map((s) => [s, markets.get(s) ?? (markets.size > 0 ? { listed: false, status: 'NOT_LISTED' } : { listed: true, status: 'UNKNOWN' })]));
    const coverage = coverageFindings({ exchange: exchangeId, symbols, timeframes, present, marketStatus });
    findings.push(...coverage.findings);
    let staleSeries = 0;
    for (const s of stats) {
      const ref = { exchange: exchangeId, symbol: s.symbol, timeframe: s.timeframe };
      const expected = expectedNewestOpenTime(nowMs, s.timeframe, { graceMs: config.validate.updateGraceMs });
      const critical = config.validate.criticalLagMs[s.timeframe];
      const thresholds = { ...DEFAULT_STALENESS[s.timeframe], ...(critical !== undefined ? { criticalLagMs: critical } : {}) };
      const stale = stalenessFinding(ref, s.lastMs, expected, thresholds);
      if (stale && !(markets.get(s.symbol)?.status !== undefined && markets.get(s.symbol)!.status !== 'TRADING')) {
        findings.push(stale);
        staleSeries += 1;
      }
      findings.push(...sanityFindings(ref, s, config.validate.jumpThresholdPct));
    }
    lap('series');
    for (const row of await crossTimeframeMismatches(connection, symbols, CROSS_PAIRS.filter(([c, f]) => timeframes.includes(c) && timeframes.includes(f)))) {
      const f = crossTimeframeFinding({ exchange: exchangeId, symbol: row.symbol, timeframe: row.coarse }, row.fine, row.mismatches, { openTimeMs: row.exampleOpenTimeMs, field: row.exampleField });
      if (f) findings.push(f);
    }

    lap('crossTimeframe');

    // 3. Continuity: classify each gap by asking the exchange; repair what it has; remember what it lacks.
    const known = await loadKnownGaps(store, exchangeId);
    const fresh = (await seriesGaps(connection, { symbols, timeframes })).filter((g) => !isKnown(known, g.symbol, g.timeframe, g.fromMs, g.toMs));
    const unresolved: GapRow[] = [];
    if (fresh.length > 0 && deps.exchange) {
      const learned: KnownGap[] = [];
      try {
        for (const gap of fresh) {
          const ref = { exchange: exchangeId, symbol: gap.symbol, timeframe: gap.timeframe };
          try {
            const outcome = await repairGap({ store, exchange: deps.exchange, nowMs }, gap.symbol, gap.timeframe, gap, { write: mayWrite });
            if (mayWrite) repairs.attempted += 1;
            for (const missing of outcome.exchangeMissing) {
              findings.push(gapFinding(ref, missing, 'exchange'));
              learned.push({ symbol: gap.symbol, timeframe: gap.timeframe, fromMs: missing.fromMs, toMs: missing.toMs, confirmedAt: new Date(nowMs).toISOString() });
            }
            if (outcome.available > 0 && mayWrite) {
              repairs.candlesWritten += outcome.repaired;
              findings.push({
                kind: 'repaired', severity: 'INFO', key: `validate:repaired:${exchangeId}:${gap.symbol}:${gap.timeframe}:${gap.fromMs}`,
                symbol: gap.symbol, timeframe: gap.timeframe,
                text: `${gap.symbol} ${gap.timeframe}: re-fetched ${outcome.repaired} missing candles from ${new Date(gap.fromMs).toISOString()}`,
                details: { fromMs: gap.fromMs, toMs: gap.toMs, repaired: outcome.repaired },
              });
            } else if (outcome.available > 0) {
              unresolved.push({ ...gap, missing: outcome.available });
            }
          } catch (error) {
            logger.warn('gap probe failed', { runId, symbol: gap.symbol, timeframe: gap.timeframe, reason: (error as Error).message });
            unresolved.push(gap);
          }
        }
      } finally {
        if (learned.length > 0) await saveKnownGaps(store, exchangeId, [...known, ...learned]);
      }
    } else {
      unresolved.push(...fresh);
    }
    // Checked again: what is still missing after the repairs and is not a confirmed exchange gap.
    if (repairs.candlesWritten > 0) {
      const after = await mirrorLake(store, config.cacheDir, [`exchange=${exchangeId}/`]);
      // Bad objects were quarantined before the repairs, and a repair may have rewritten the same key.
      await createLakeViews(connection, after.rootDir);
      const knownNow = await loadKnownGaps(store, exchangeId);
      const touched = new Set(fresh.map((g) => `${g.symbol}|${g.timeframe}`));
      for (const g of await seriesGaps(connection, { symbols, timeframes })) {
        if (touched.has(`${g.symbol}|${g.timeframe}`) && !isKnown(knownNow, g.symbol, g.timeframe, g.fromMs, g.toMs)) unresolved.push(g);
      }
    }
    for (const gap of unresolved) {
      findings.push(gapFinding({ exchange: exchangeId, symbol: gap.symbol, timeframe: gap.timeframe }, gap, 'ingestion'));
      repairs.notRepaired += 1;
    }

    lap('gaps');

    // 4. The sentiment datasets beside the prices: fresh, and without holes in their own cadence.
    findings.push(...sentimentFindings(await sentimentSeriesStats(connection), nowMs));
    lap('sentiment');

    // 5. The report.
    const status = overallStatus(findings);
    const cells: SeriesCell[] = [];
    const bySeries = new Map(stats.map((s) => [`${s.symbol}|${s.timeframe}`, s]));
    for (const symbol of symbols) {
      for (const timeframe of timeframes) {
        const worst = findings
          .filter((f) => f.symbol === symbol && f.timeframe === timeframe)
          .reduce<Severity>((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), present.has(`${symbol}|${timeframe}`) ? 'OK' : 'CRITICAL');
        const s = bySeries.get(`${symbol}|${timeframe}`);
        cells.push({ symbol, timeframe, status: marketStatus.get(symbol)?.listed === false || (markets.get(symbol)?.status ?? 'TRADING') !== 'TRADING' ? (s ? worst : 'INFO') : worst, candles: s?.candles ?? 0, lastOpenTime: s ? new Date(s.lastMs).toISOString() : null });
      }
    }
    const bySeverity = { INFO: 0, WARNING: 0, CRITICAL: 0 };
    for (const f of findings) bySeverity[f.severity] += 1;
    const report: ValidateReport = {
      runId, checkedAt: new Date(nowMs).toISOString(), lake: store.url, status, findings, coverage: coverage.summary, cells, repairs,
      counts: { series: stats.length, candles: stats.reduce((n, s) => n + s.candles, 0), objects: objects.length, staleSeries, bySeverity },
      seconds: (performance.now() - started) / 1000,
      timings,
    };
    await storeValidateReport(store, report);
    await writeRunRecord(store, {
      job: JOB, runId, trigger: input.trigger, startedAt: report.checkedAt, endedAt: new Date(clock.nowMs()).toISOString(),
      outcome: status === 'CRITICAL' ? 'failed' : status === 'WARNING' ? 'partial' : 'succeeded',
      summary: `${status}: ${findings.length} findings (${bySeverity.CRITICAL} critical, ${bySeverity.WARNING} warning), ${staleSeries} stale series, ${repairs.candlesWritten} candles repaired`,
      details: { status, counts: report.counts, repairs },
    });
    await deps.metrics?.publish([
      { name: 'ValidateStatus', value: exitCodeForStatus(status), unit: 'None', dimensions: { exchange: exchangeId } },
      { name: 'StaleSeries', value: staleSeries, unit: 'Count', dimensions: { exchange: exchangeId } },
      { name: 'CriticalFindings', value: bySeverity.CRITICAL, unit: 'Count', dimensions: { exchange: exchangeId } },
    ]);
    logger.info(`validate ${status}`, { runId, findings: findings.length, staleSeries, repaired: repairs.candlesWritten });
    return report;
  } finally {
    connection.closeSync();
    if (lease?.acquired) await lease.lease.release();
  }
}

/** Moves an object to `quarantine/<runId>/<key>` (copy, then delete). Returns the new key. */
async function quarantineObject(store: ValidateDeps['store'], key: string, runId: string): Promise<string> {
  const target = `quarantine/${runId}/${key}`;
  const got = await store.get(key);
  if (got) await store.put(target, got.body);
  await store.delete(key);
  return target;
}

/** The length of a timeframe in hours, for table headers. */
export function timeframeHours(timeframe: Timeframe): number {
  return timeframeMs(timeframe) / 3_600_000;
}
