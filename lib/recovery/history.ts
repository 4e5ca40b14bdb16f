/**
 * The failure history of the daily backtest, kept in the lake (`recovery/backtest/history.json`)
 * so that the supervisor or recovery function that sees the third failure knows about the first
 * two — on AWS each recovery invocation is a fresh Lambda.
 */
import type { ObjectStore } from '../object-store/types.ts';
import type { FailureRecord } from './policy.ts';

export const RECOVERY_HISTORY_KEY = 'recovery/backtest/history.json';

export interface RecoveryHistory {
  failures: FailureRecord[];
  /** Task ids we stopped ourselves (hung): their STOPPED events are not new failures. */
  stoppedByRecovery: string[];
  /** When restarts were given up, if they were (cleared by the next scheduled run). */
  gaveUpAtMs?: number;
}

export async function loadRecoveryHistory(store: ObjectStore): Promise<RecoveryHistory> {
  const got = await store.get(RECOVERY_HISTORY_KEY);
  if (!got) return { failures: [], stoppedByRecovery: [] };
  return JSON.parse(Buffer.from(got.body).toString('utf8')) as RecoveryHistory;
}

export async function saveRecoveryHistory(store: ObjectStore, history: RecoveryHistory): Promise<void> {
  // Only the last 50 entries matter for a 24 h window with at most a handful of restarts.
  const trimmed: RecoveryHistory = {
    ...history,
    failures: history.failures.slice(-50),
    stoppedByRecovery: history.stoppedByRecovery.slice(-50),
  };
  await store.put(RECOVERY_HISTORY_KEY, JSON.stringify(trimmed, null, 1), { contentType: 'application/json' });
}
