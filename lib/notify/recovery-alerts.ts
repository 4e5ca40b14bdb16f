/**
 * Backtest recovery speaks through the alert model like every job: each message the recovery
 * policy sends (a restart, giving up, a restart that could not start) becomes an alert in the lake
 * under the job `recovery`, one per severity so repeats count instead of flooding, and is delivered
 * at once when a sender is given (a CRITICAL pages now; without a sender the digest and the
 * notifier deliver it). A finished daily backtest resolves them: the problem they described is over.
 */
import { deliverAlerts, raiseAlerts, type AlertSender } from '../alerts/index.ts';
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** The job the recovery alerts are raised under. */
export const RECOVERY_ALERT_JOB = 'recovery';

interface RecoveryAlertDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  sender?: AlertSender;
}

/**
 * A `notify` for the recovery policy (AWS and the local supervisor alike).
 * @example const notify = recoveryAlertNotify({ store, clock, logger, sender }, runId);
 */
export function recoveryAlertNotify(deps: RecoveryAlertDeps, runId: string): (severity: 'INFO' | 'WARNING' | 'CRITICAL', text: string) => Promise<void> {
  return async (severity, text) => {
    await raiseAlerts(deps, { job: RECOVERY_ALERT_JOB, runId }, [{ key: `recovery:backtest:${severity.toLowerCase()}`, severity, text }], {
      job: RECOVERY_ALERT_JOB,
      clearMissing: false,
    });
    if (deps.sender) await deliverAlerts({ ...deps, sender: deps.sender }, {});
  };
}

/**
 * Resolves every open recovery alert (the daily backtest finished). Delivery of the "resolved"
 * messages is left to whoever delivers next (the digest, the notifier), unless a sender is given.
 * @example await resolveRecoveryAlerts({ store, clock, logger }, runId);
 */
export async function resolveRecoveryAlerts(deps: RecoveryAlertDeps, runId: string): Promise<string[]> {
  const summary = await raiseAlerts(deps, { job: RECOVERY_ALERT_JOB, runId }, [], { job: RECOVERY_ALERT_JOB, clearMissing: true });
  if (deps.sender && summary.resolved.length > 0) await deliverAlerts({ ...deps, sender: deps.sender }, {});
  return summary.resolved;
}
