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
 * // Without `sender`: stored and resolved only, delivered later by the digest or the notifier.
 */
export async function publishJobFindings(
  deps: { store: ObjectStore; clock: Clock; logger: JobLogger; sender?: AlertSender },
  job: string,
  runId: string,
  findings: readonly JobFinding[],
): Promise<DeliverySummary | undefined> {
  await raiseAlerts(deps, { job, runId }, findings.map((f) => ({ key: f.key, severity: f.severity, text: f.text })), { job, clearMissing: true });
  // Without a sender the alerts stay pending in the lake for whoever can deliver them (the digest,
  // the notifier): marking them sent to a console nobody reads would lose them.
  return deps.sender ? deliverAlerts({ ...deps, sender: deps.sender }, {}) : undefined;
}
