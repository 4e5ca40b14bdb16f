/**
 * One alert model for every job: findings become alerts in the lake (`alerts/open/`), a
 * delivery pass sends what is due through an `AlertSender`, at least once and de-duplicated
 * by key; the digest and the health probe read `openAlerts` and `alertCounts`.
 */
export type * from './types.ts';
export { AlertWriteConflictError, InvalidAlertFindingError } from './errors.ts';
export {
  ALERT_DELIVERY_DEFAULTS,
  alertCounts,
  alertDeliveryPlan,
  alertResolve,
  alertUpsert,
  deliverAlerts,
  openAlerts,
  raiseAlerts,
  severityMax,
  type AlertDeliveryPlan,
} from './engine.ts';
export { alertMessageLines, consoleAlertSender } from './console-sender.ts';
export { alertOpenKey, alertResolvedKey, alertSafeKey } from './store.ts';
