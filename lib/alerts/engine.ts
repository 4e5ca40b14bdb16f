/**
 * The alert engine: jobs raise findings as alerts in the lake, and a delivery pass turns what
 * is due into messages — at least once, de-duplicated by key.
 *
 * Ordering rules:
 * 1. Every alert is written to the lake before any attempt to send it (delivery reads the lake).
 * 2. A send is marked in the alert only after the sender returned; a failed send marks nothing
 *    but `attempts`/`lastError`, so the next pass (or the digest) sends what was missed.
 * 3. An alert leaves `alerts/open/` only once it is resolved and its resolved message (if one
 *    is due) went out.
 *
 * The decisions (`alertUpsert`, `alertResolve`, `alertDeliveryPlan`) are pure; the rest is I/O.
 */
import pLimit from 'p-limit';
import { InvalidAlertFindingError } from './errors.ts';
import {
  alertArchive,
  alertListOpenFolder,
  alertListResolved,
  alertUpdate,
  alertWriteResolved,
  type StoredAlert,
} from './store.ts';
import type {
  Alert,
  AlertCounts,
  AlertDeliveryDeps,
  AlertDeps,
  AlertFinding,
  AlertMessageKind,
  AlertSeverity,
  AlertSource,
  DeliverOptions,
  DeliverySummary,
  RaiseOptions,
  RaiseSummary,
} from './types.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** Defaults of `deliverAlerts`, merged with the caller's options. */
export const ALERT_DELIVERY_DEFAULTS: Required<DeliverOptions> = {
  warningWindowMs: 3_600_000,
  flush: false,
};

/** Parallel lake writes of one raise or delivery pass. */
const LAKE_CONCURRENCY = 8;

const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** The worse of two severities. */
export function severityMax(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/**
 * The next version of an alert when its problem is seen now. A new key, or a key whose last
 * occurrence is resolved, opens a new alert (count 1); an open one counts up, takes the new
 * text and the worse severity. An alert escalated to CRITICAL after a WARNING message forgets
 * that send, so the CRITICAL goes out at once.
 * @example alertUpsert(undefined, { key: 'k', severity: 'CRITICAL', text: 't' }, { job: 'update', runId: 'r1' }, now).count // 1
 */
export function alertUpsert(current: Alert | undefined, finding: AlertFinding, source: AlertSource, nowMs: number): Alert {
  if (current === undefined || current.state === 'resolved') {
    return {
      key: finding.key,
      severity: finding.severity,
      source: { ...source },
      text: finding.text,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
      count: 1,
      state: 'open',
      delivery: { attempts: 0 },
    };
  }
  const severity = severityMax(current.severity, finding.severity);
  const escalated = severity === 'CRITICAL' && current.severity !== 'CRITICAL';
  const { sentMs: _forgotten, ...deliveryWithoutSend } = current.delivery;
  return {
    ...current,
    severity,
    source: { ...source },
    text: finding.text,
    lastSeenMs: Math.max(current.lastSeenMs, nowMs),
    count: current.count + 1,
    delivery: escalated ? deliveryWithoutSend : { ...current.delivery },
  };
}

/**
 * The alert marked resolved now (its problem cleared).
 * @example alertResolve(openAlert, now).state // 'resolved'
 */
export function alertResolve(current: Alert, nowMs: number): Alert {
  return { ...current, state: 'resolved', resolvedAtMs: nowMs, delivery: { ...current.delivery } };
}

/** What one delivery pass should do, decided from the alerts in `alerts/open/`. */
export interface AlertDeliveryPlan {
  /** Open CRITICALs never sent: one message each, now. */
  critical: Alert[];
  /** Open WARNINGs never sent, due as one batch now (empty when the window has not passed). */
  warningBatch: Alert[];
  /** Open WARNINGs never sent that wait for the window. */
  warningWaiting: Alert[];
  /** Resolved alerts whose open message went out and whose resolved message did not. */
  resolved: Alert[];
  /** Resolved alerts with nothing left to send: move out of `alerts/open/`. */
  archive: Alert[];
  /** Open alerts already sent and seen again since: counted, not re-sent. */
  suppressed: number;
}

/**
 * Decides what a delivery pass sends. INFO is never sent (digest only); an alert that resolved
 * before it was ever sent needs no resolved message.
 * @example alertDeliveryPlan(alerts, Date.now(), { warningWindowMs: 3_600_000 }).critical
 */
export function alertDeliveryPlan(alerts: readonly Alert[], nowMs: number, options: DeliverOptions = {}): AlertDeliveryPlan {
  const { warningWindowMs, flush } = { ...ALERT_DELIVERY_DEFAULTS, ...options };
  const plan: AlertDeliveryPlan = { critical: [], warningBatch: [], warningWaiting: [], resolved: [], archive: [], suppressed: 0 };
  const unsentWarnings: Alert[] = [];
  for (const alert of alerts) {
    const { sentMs, resolvedSentMs } = alert.delivery;
    if (alert.state === 'resolved') {
      if (sentMs !== undefined && resolvedSentMs === undefined) plan.resolved.push(alert);
      else plan.archive.push(alert);
    } else if (alert.severity === 'INFO') {
      continue;
    } else if (sentMs !== undefined) {
      if (alert.lastSeenMs > sentMs) plan.suppressed += 1;
    } else if (alert.severity === 'CRITICAL') {
      plan.critical.push(alert);
    } else {
      unsentWarnings.push(alert);
    }
  }
  const oldestMs = Math.min(...unsentWarnings.map((a) => a.firstSeenMs));
  const due = unsentWarnings.length > 0 && (flush || nowMs - oldestMs >= warningWindowMs);
  if (due) plan.warningBatch = unsentWarnings;
  else plan.warningWaiting = unsentWarnings;
  return plan;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function validateFindings(findings: readonly AlertFinding[]): AlertFinding[] {
  const byKey = new Map<string, AlertFinding>();
  for (const finding of findings) {
    if (typeof finding.key !== 'string' || finding.key.length === 0) throw new InvalidAlertFindingError(String(finding.key), 'empty key');
    if (!(finding.severity in SEVERITY_RANK)) throw new InvalidAlertFindingError(finding.key, `unknown severity "${String(finding.severity)}"`);
    const seen = byKey.get(finding.key);
    // One key twice in one run is one sighting: the worse severity, the last text.
    byKey.set(finding.key, seen ? { ...finding, severity: severityMax(seen.severity, finding.severity) } : { ...finding });
  }
  return [...byKey.values()];
}

/**
 * Records a run's findings as alerts: each one opened or counted up with compare-and-swap;
 * with `clearMissing`, the job's open alerts absent from `findings` become resolved.
 * @example
 * await raiseAlerts({ store, clock, logger }, { job: 'validate', runId }, result.findings, { job: 'validate', clearMissing: true });
 */
export async function raiseAlerts(
  deps: AlertDeps,
  source: AlertSource,
  findings: readonly AlertFinding[],
  options: RaiseOptions,
): Promise<RaiseSummary> {
  const unique = validateFindings(findings);
  const summary: RaiseSummary = { opened: [], repeated: [], resolved: [] };
  const limit = pLimit(LAKE_CONCURRENCY);
  await Promise.all(
    unique.map((finding) =>
      limit(async () => {
        let opened = false;
        await alertUpdate(deps.store, finding.key, async (current) => {
          // A finished occurrence still in alerts/open/ (its resolved message was due) is kept
          // in alerts/resolved/ before the new occurrence replaces it.
          if (current?.alert.state === 'resolved') await alertWriteResolved(deps.store, current.alert);
          const next = alertUpsert(current?.alert, finding, source, deps.clock.nowMs());
          opened = next.count === 1;
          return next;
        });
        (opened ? summary.opened : summary.repeated).push(finding.key);
      }),
    ),
  );
  if (options.clearMissing) {
    const present = new Set(unique.map((f) => f.key));
    const isClearable = (alert: Alert): boolean => alert.state === 'open' && alert.source.job === options.job && !present.has(alert.key);
    const stale = (await alertListOpenFolder(deps.store)).filter((s) => isClearable(s.alert));
    await Promise.all(
      stale.map((s) =>
        limit(async () => {
          let cleared = false;
          await alertUpdate(deps.store, s.alert.key, (current) => {
            cleared = current !== undefined && current.alert.firstSeenMs === s.alert.firstSeenMs && isClearable(current.alert);
            return cleared && current ? alertResolve(current.alert, deps.clock.nowMs()) : undefined;
          });
          if (cleared) summary.resolved.push(s.alert.key);
        }),
      ),
    );
  }
  for (const list of Object.values(summary)) list.sort();
  deps.logger.info('alerts raised', { job: options.job, runId: source.runId, ...countsOf(summary) });
  return summary;
}

function countsOf(summary: RaiseSummary): Record<string, number> {
  return { opened: summary.opened.length, repeated: summary.repeated.length, resolved: summary.resolved.length };
}

type SendOutcome = { ok: true } | { ok: false; error: string };

/**
 * Sends pending alert messages: each unsent CRITICAL at once, unsent WARNINGs as one batch once
 * the oldest waited `warningWindowMs` (or at once with `flush`), one resolved message for each
 * cleared problem that was told. A failed send keeps its alerts pending for the next pass.
 * @example
 * const summary = await deliverAlerts({ store, clock, logger, sender: consoleAlertSender(logger) }, { flush: true });
 */
export async function deliverAlerts(deps: AlertDeliveryDeps, options: DeliverOptions = {}): Promise<DeliverySummary> {
  const { store, clock, logger, sender } = deps;
  const stored = await alertListOpenFolder(store, (objectKey) => logger.warn('unreadable alert object skipped', { objectKey }));
  const plan = alertDeliveryPlan(
    stored.map((s) => s.alert),
    clock.nowMs(),
    options,
  );
  const summary: DeliverySummary = {
    messages: 0,
    sent: { critical: [], warning: [], resolved: [] },
    suppressed: plan.suppressed,
    pending: { critical: [], warning: plan.warningWaiting.map((a) => a.key), resolved: [] },
    failures: 0,
    archived: [],
  };

  const send = async (alerts: Alert[], kind: AlertMessageKind): Promise<SendOutcome> => {
    try {
      await sender.send(alerts, kind);
      summary.messages += 1;
      return { ok: true };
    } catch (error) {
      summary.failures += 1;
      logger.warn('alert send failed; kept pending', { kind, keys: alerts.map((a) => a.key), error: errorText(error) });
      return { ok: false, error: errorText(error) };
    }
  };

  // Records the outcome in the same occurrence (same firstSeenMs) with compare-and-swap. A store
  // error here is logged: the message went out, and at worst goes out once more next time.
  const record = async (sentAlert: Alert, outcome: SendOutcome, field: 'sentMs' | 'resolvedSentMs'): Promise<StoredAlert | undefined> => {
    try {
      return await alertUpdate(store, sentAlert.key, (current) => {
        if (!current || current.alert.firstSeenMs !== sentAlert.firstSeenMs) return undefined;
        const { lastError: _cleared, ...rest } = current.alert.delivery;
        const delivery = outcome.ok ? { ...rest } : { ...rest, lastError: outcome.error };
        delivery.attempts = rest.attempts + 1;
        // A WARNING escalated to CRITICAL while its batch was out still owes the CRITICAL message.
        const stillSameMessage = field === 'resolvedSentMs' || current.alert.severity === sentAlert.severity;
        if (outcome.ok && stillSameMessage) delivery[field] = clock.nowMs();
        return { ...current.alert, delivery };
      });
    } catch (error) {
      logger.error('alert delivery not recorded', { key: sentAlert.key, field, error: errorText(error) });
      return undefined;
    }
  };

  const limit = pLimit(LAKE_CONCURRENCY);
  for (const alert of plan.critical) {
    const outcome = await send([alert], 'critical');
    await record(alert, outcome, 'sentMs');
    (outcome.ok ? summary.sent.critical : summary.pending.critical).push(alert.key);
  }
  if (plan.warningBatch.length > 0) {
    const outcome = await send(plan.warningBatch, 'warning-batch');
    await Promise.all(plan.warningBatch.map((alert) => limit(() => record(alert, outcome, 'sentMs'))));
    (outcome.ok ? summary.sent.warning : summary.pending.warning).push(...plan.warningBatch.map((a) => a.key));
  }
  for (const alert of plan.resolved) {
    const outcome = await send([alert], 'resolved');
    const after = await record(alert, outcome, 'resolvedSentMs');
    if (!outcome.ok) {
      summary.pending.resolved.push(alert.key);
      continue;
    }
    summary.sent.resolved.push(alert.key);
    if (after?.alert.state === 'resolved' && after.alert.firstSeenMs === alert.firstSeenMs && (await alertArchive(store, after))) {
      summary.archived.push(alert.key);
    }
  }
  const byKey = new Map(stored.map((s) => [s.alert.key, s]));
  await Promise.all(
    plan.archive.map((alert) =>
      limit(async () => {
        const s = byKey.get(alert.key);
        if (s && (await alertArchive(store, s))) summary.archived.push(alert.key);
      }),
    ),
  );
  summary.archived.sort();
  logger.info('alerts delivered', {
    messages: summary.messages,
    failures: summary.failures,
    suppressed: summary.suppressed,
    pendingCritical: summary.pending.critical.length,
    pendingWarning: summary.pending.warning.length,
    pendingResolved: summary.pending.resolved.length,
  });
  return summary;
}

/**
 * Open alerts, worst first, then oldest first: what the digest lists.
 * @example const open = await openAlerts(store); // [{ key: 'update:fetch-failed', severity: 'CRITICAL', ... }]
 */
export async function openAlerts(store: ObjectStore): Promise<Alert[]> {
  const alerts = (await alertListOpenFolder(store)).map((s) => s.alert).filter((a) => a.state === 'open');
  return alerts.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.firstSeenMs - b.firstSeenMs || a.key.localeCompare(b.key));
}

function emptyBySeverity(): Record<AlertSeverity, number> {
  return { INFO: 0, WARNING: 0, CRITICAL: 0 };
}

/**
 * Counts for the digest and the health probe: open now, raised and resolved since `sinceMs`,
 * and how many still wait for a message.
 * @example const counts = await alertCounts(store, Date.now() - 86_400_000); // counts.open.CRITICAL
 */
export async function alertCounts(store: ObjectStore, sinceMs: number): Promise<AlertCounts> {
  const inOpenFolder = (await alertListOpenFolder(store)).map((s) => s.alert);
  const finished = (await alertListResolved(store, sinceMs)).filter((a) => (a.resolvedAtMs ?? a.lastSeenMs) >= sinceMs);
  const counts: AlertCounts = { open: emptyBySeverity(), raisedSince: emptyBySeverity(), resolvedSince: 0, pendingDelivery: 0 };
  // An occurrence archived while its open object was being changed can sit in both folders once.
  const unique = new Map([...finished, ...inOpenFolder].map((a) => [`${a.key}\u0000${a.firstSeenMs}`, a]));
  for (const alert of unique.values()) {
    if (alert.state === 'open') counts.open[alert.severity] += 1;
    if (alert.firstSeenMs >= sinceMs) counts.raisedSince[alert.severity] += 1;
    if (alert.state === 'resolved' && (alert.resolvedAtMs ?? 0) >= sinceMs) counts.resolvedSince += 1;
  }
  const plan = alertDeliveryPlan(inOpenFolder, Number.POSITIVE_INFINITY, { flush: true });
  counts.pendingDelivery = plan.critical.length + plan.warningBatch.length + plan.resolved.length;
  return counts;
}
