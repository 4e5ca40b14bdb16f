/** What an update run says as alerts: its findings, plus its per-series failures as one WARNING. */
import type { UpdateResult } from '../update/types.ts';
import type { JobFinding } from './job-alerts.ts';

/**
 * Empty for a skipped run (another run holds the lease: its own record speaks).
 * @example await publishJobFindings(deps, 'update', record.runId, updateAlertFindings(record));
 */
export function updateAlertFindings(record: UpdateResult): JobFinding[] | undefined {
  if (record.outcome === 'skipped') return undefined;
  const failures = record.details.failures.filter((f) => f.symbol !== '*');
  return [
    ...record.details.findings,
    ...(failures.length > 0
      ? [{ severity: 'WARNING' as const, key: 'update:series-failed', text: `${failures.length} series failed (first: ${failures[0]!.symbol}${failures[0]!.timeframe ? ` ${failures[0]!.timeframe}` : ''}: ${failures[0]!.reason})` }]
      : []),
  ];
}
