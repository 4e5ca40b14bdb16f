/**
 * Where a validation lands: the report as JSON (`quality/reports/date=…/<runId>.json` and
 * `quality/reports/latest.json`) for machines, and its findings as the `quality_findings`
 * dataset (`dataset=quality_findings/run_date=…/<runId>.parquet`) for history.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sqlString, withConnection } from '../lake/duckdb.ts';
import { utcDate } from '../lake/keys.ts';
import { PARQUET_COPY_OPTIONS } from '../lake/schema.ts';
import { withTempDir } from '../lake/temp-dir.ts';
import type { ObjectStore } from '../object-store/types.ts';
import type { ValidateReport } from './types.ts';

export const LATEST_REPORT_KEY = 'quality/reports/latest.json';

export function reportKey(checkedAtMs: number, runId: string): string {
  return `quality/reports/date=${utcDate(checkedAtMs)}/${runId}.json`;
}

export function findingsKey(checkedAtMs: number, runId: string): string {
  return `dataset=quality_findings/run_date=${utcDate(checkedAtMs)}/${runId}.parquet`;
}

/** Writes the report JSON, the latest pointer and the findings dataset. Returns the keys. */
export async function storeValidateReport(store: ObjectStore, report: ValidateReport): Promise<string[]> {
  const at = Date.parse(report.checkedAt);
  const body = JSON.stringify(report, null, 1);
  const keys = [reportKey(at, report.runId), LATEST_REPORT_KEY];
  await store.put(keys[0]!, body, { contentType: 'application/json' });
  await store.put(LATEST_REPORT_KEY, body, { contentType: 'application/json' });
  if (report.findings.length > 0) {
    await withTempDir(async (dir) => {
      const json = join(dir, 'findings.ndjson');
      const parquet = join(dir, 'findings.parquet');
      await writeFile(
        json,
        report.findings
          .map((f) => JSON.stringify({
            run_id: report.runId, checked_at: report.checkedAt, kind: f.kind, severity: f.severity, key: f.key,
            symbol: f.symbol ?? null, timeframe: f.timeframe ?? null, text: f.text, details: JSON.stringify(f.details ?? {}),
          }))
          .join('\n'),
      );
      const columns = "{'run_id': 'VARCHAR', 'checked_at': 'TIMESTAMP', 'kind': 'VARCHAR', 'severity': 'VARCHAR', 'key': 'VARCHAR', 'symbol': 'VARCHAR', 'timeframe': 'VARCHAR', 'text': 'VARCHAR', 'details': 'VARCHAR'}";
      await withConnection((c) => c.run(`COPY (SELECT * FROM read_json(${sqlString(json)}, format = 'newline_delimited', columns = ${columns})) TO ${sqlString(parquet)} (${PARQUET_COPY_OPTIONS})`));
      const key = findingsKey(at, report.runId);
      await store.put(key, await readFile(parquet), { contentType: 'application/vnd.apache.parquet' });
      keys.push(key);
    });
  }
  return keys;
}

/** The newest stored report, if any (the health probe and the digest read it). */
export async function readLatestValidateReport(store: ObjectStore): Promise<ValidateReport | undefined> {
  const got = await store.get(LATEST_REPORT_KEY);
  return got ? (JSON.parse(Buffer.from(got.body).toString('utf8')) as ValidateReport) : undefined;
}

/**
 * The CRITICAL findings of a report by `symbol|timeframe`, as texts: what the backtest's quality
 * gate needs from the validate job.
 * @example criticalFindingsBySeries(await readLatestValidateReport(store)).get('BTC/USDT|1h')
 */
export function criticalFindingsBySeries(report: ValidateReport | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of report?.findings ?? []) {
    if (f.severity !== 'CRITICAL' || !f.symbol || !f.timeframe) continue;
    const key = `${f.symbol}|${f.timeframe}`;
    out.set(key, [...(out.get(key) ?? []), f.text]);
  }
  return out;
}
