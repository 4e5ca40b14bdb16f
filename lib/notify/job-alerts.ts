/**
 * The doors' last step after a job: its findings become alerts (stored in the lake first), the
 * ones it no longer reports are resolved, and whatever is due is delivered — at least once, one
 * message per problem.
 */
import { deliverAlerts, raiseAlerts, type AlertSender, type DeliverySummary } from '../alerts/index.ts';
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

export interface JobFinding {
  key: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  text: string;
}

/**
 * @example await publishJobFindings({ store, clock, logger, sender }, 'validate', report.runId, report.findings);
 */
export async function publishJobFindings(
  deps: { store: ObjectStore; clock: Clock; logger: JobLogger; sender: AlertSender },
  job: string,
  runId: string,
  findings: readonly JobFinding[],
): Promise<DeliverySummary> {
  await raiseAlerts(deps, { job, runId }, findings.map((f) => ({ key: f.key, severity: f.severity, text: f.text })), { job, clearMissing: true });
  return deliverAlerts(deps, {});
}
