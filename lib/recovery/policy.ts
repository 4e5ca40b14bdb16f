/**
 * The restart policy of the daily backtest, shared by the local supervisor and the AWS recovery
 * function so both recover the same way: a task silent for 2 minutes is hung; a failed task is
 * restarted after an exponential backoff; after 3 failures in 24 hours nobody restarts it and a
 * person is asked to step in. Pure functions: the callers do the I/O.
 */

export interface RecoveryPolicy {
  /** Heartbeat silence after which a running task counts as hung. */
  hangAfterMs: number;
  /**
   * Extra silence allowed before a task's first beat: starting a process (loading the runtime,
   * the code, DuckDB) is not hanging, and on a busy machine it can take longer than a short hangAfterMs.
   */
  startupGraceMs: number;
  /** Failures within `failureWindowMs` after which restarts stop. */
  maxFailures: number;
  failureWindowMs: number;
  /** Backoff before restart n (1-based): baseBackoffMs × 2^(n−1), capped. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RECOVERY_POLICY: RecoveryPolicy = {
  hangAfterMs: 2 * 60_000,
  startupGraceMs: 60_000,
  maxFailures: 3,
  failureWindowMs: 24 * 60 * 60_000,
  baseBackoffMs: 30_000,
  maxBackoffMs: 10 * 60_000,
};

/** Why a task ended badly. `stopped-by-recovery` is our own stop of a hung task: not a new failure. */
export type FailureKind = 'crash' | 'hang' | 'failed-to-start';

export interface FailureRecord {
  atMs: number;
  kind: FailureKind;
  /** Task id (pid locally, task ARN on AWS). */
  taskId: string;
  detail: string;
}

export type RecoveryDecision =
  | { action: 'restart'; afterMs: number; attempt: number; recentFailures: number }
  | { action: 'give-up'; recentFailures: number; message: string };

/**
 * Failures inside the window that ends at `nowMs`.
 * @example recentFailures(history, Date.now()) // 2
 */
export function recentFailures(history: readonly FailureRecord[], nowMs: number, policy: RecoveryPolicy = DEFAULT_RECOVERY_POLICY): FailureRecord[] {
  return history.filter((f) => f.atMs > nowMs - policy.failureWindowMs && f.atMs <= nowMs);
}

/**
 * What to do after a failure, given every failure so far (the new one included).
 * @example decideAfterFailure([{ atMs: now, kind: 'crash', taskId: '42', detail: 'exit 4' }], now)
 * // { action: 'restart', afterMs: 30_000, attempt: 1, recentFailures: 1 }
 */
export function decideAfterFailure(history: readonly FailureRecord[], nowMs: number, policy: RecoveryPolicy = DEFAULT_RECOVERY_POLICY): RecoveryDecision {
  const recent = recentFailures(history, nowMs, policy);
  if (recent.length >= policy.maxFailures) {
    return {
      action: 'give-up',
      recentFailures: recent.length,
      message:
        `daily backtest failed ${recent.length} times in ${Math.round(policy.failureWindowMs / 3_600_000)} h ` +
        `(last: ${recent[recent.length - 1]?.kind} ${recent[recent.length - 1]?.detail ?? ''}); automatic restarts stopped — ` +
        'a person must look: roll back the last change or run it by hand (runbook: "rollback, manual")',
    };
  }
  const attempt = recent.length;
  const afterMs = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return { action: 'restart', afterMs, attempt, recentFailures: recent.length };
}

/**
 * Whether a running task whose last heartbeat was at `lastBeatMs` is hung.
 * @example isHung(Date.now() - 150_000, Date.now()) // true
 */
export function isHung(lastBeatMs: number, nowMs: number, policy: RecoveryPolicy = DEFAULT_RECOVERY_POLICY): boolean {
  return nowMs - lastBeatMs > policy.hangAfterMs;
}
