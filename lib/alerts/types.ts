/**
 * Types of the alert model every job shares: what an alert is, what a sender must do, and the
 * options and summaries of raising and delivering. Behaviour lives in the sibling files.
 */
import type { Clock } from '../clock/index.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';

/** How bad an alert is, in ascending order. */
export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** Which run raised (or last re-raised) an alert. */
export interface AlertSource {
  job: string;
  runId: string;
}

/** Where delivery of one alert stands. */
export interface AlertDelivery {
  /** Last successful send of the open alert. */
  sentMs?: number;
  /** Successful send of the "resolved" message. */
  resolvedSentMs?: number;
  /** Send attempts, successful or not. */
  attempts: number;
  /** Error of the last failed attempt; cleared by a successful one. */
  lastError?: string;
}

/**
 * One problem, de-duplicated by its stable key: the same problem seen on many runs is one
 * alert with a growing `count`.
 */
export interface Alert {
  key: string;
  severity: AlertSeverity;
  source: AlertSource;
  text: string;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  state: 'open' | 'resolved';
  resolvedAtMs?: number;
  delivery: AlertDelivery;
}

/** What kind of message a send is. */
export type AlertMessageKind = 'critical' | 'warning-batch' | 'resolved';

/**
 * Delivers messages to a person (Telegram, or the console when no token is configured).
 * Throws when the message did not go out; the engine then keeps the alerts pending.
 */
export interface AlertSender {
  send(alerts: readonly Alert[], kind: AlertMessageKind): Promise<void>;
}

/** A problem to raise: the shape both the validate and the update findings already have. */
export interface AlertFinding {
  key: string;
  severity: AlertSeverity;
  text: string;
}

/** Ports of `raiseAlerts`, `openAlerts` and `alertCounts`. */
export interface AlertDeps {
  store: ObjectStore;
  clock: Clock;
  logger: JobLogger;
}

/** Ports of `deliverAlerts`. */
export interface AlertDeliveryDeps extends AlertDeps {
  sender: AlertSender;
}

export interface RaiseOptions {
  /** The job whose alerts `clearMissing` may resolve. */
  job: string;
  /**
   * True when `findings` is the job's complete list of current problems: every open alert of
   * this job whose key is absent becomes `resolved`. False for partial runs.
   */
  clearMissing: boolean;
}

/** What `raiseAlerts` changed, by alert key. */
export interface RaiseSummary {
  /** New open alerts (first sighting, or a resolved problem that came back). */
  opened: string[];
  /** Open alerts seen again (count + 1). */
  repeated: string[];
  /** Open alerts of the job that cleared. */
  resolved: string[];
}

export interface DeliverOptions {
  /** Unsent WARNINGs wait until the oldest is this old, then go out as one batch. Default 1 h. */
  warningWindowMs?: number;
  /** Send unsent WARNINGs now whatever their age (e.g. the daily digest). */
  flush?: boolean;
}

/** What `deliverAlerts` did, by alert key. */
export interface DeliverySummary {
  /** Successful sender calls. */
  messages: number;
  sent: { critical: string[]; warning: string[]; resolved: string[] };
  /** Sent open alerts seen again since their message: counted, not re-sent. */
  suppressed: number;
  /** Still waiting for a message after this run (failed sends included). */
  pending: { critical: string[]; warning: string[]; resolved: string[] };
  /** Failed sender calls. */
  failures: number;
  /** Resolved alerts moved to `alerts/resolved/` (their lifecycle is complete). */
  archived: string[];
}

/** Counts for the digest and the health probe. */
export interface AlertCounts {
  /** Open alerts now, by severity. */
  open: Record<AlertSeverity, number>;
  /** Alerts first seen at or after `sinceMs` (open or resolved since), by severity. */
  raisedSince: Record<AlertSeverity, number>;
  /** Alerts resolved at or after `sinceMs`. */
  resolvedSince: number;
  /** Alerts still waiting for a message (open CRITICAL/WARNING unsent, or resolved unsent). */
  pendingDelivery: number;
}
