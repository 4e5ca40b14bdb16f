/**
 * The restart policy shared by the local supervisor and the AWS recovery function: backoff per
 * attempt, giving up at the third failure in 24 h, the sliding window, and the hang threshold.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RECOVERY_POLICY,
  decideAfterFailure,
  isHung,
  recentFailures,
  type FailureRecord,
} from '../../../lib/recovery/policy.ts';

const NOW_MS = Date.parse('2025-03-02T00:10:00Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Failures `hoursAgo` before NOW_MS, oldest first. */
function failuresAt(...hoursAgo: number[]): FailureRecord[] {
  return hoursAgo.map((h, i) => ({ atMs: NOW_MS - h * HOUR_MS, kind: 'crash', taskId: `task-${i}`, detail: `exit ${i + 1}` }));
}

describe('decideAfterFailure', () => {
  it.each([
    { name: 'first failure: restart after 30 s', history: failuresAt(0), expected: { action: 'restart', afterMs: 30_000, attempt: 1, recentFailures: 1 } },
    { name: 'second failure: restart after 60 s', history: failuresAt(2, 0), expected: { action: 'restart', afterMs: 60_000, attempt: 2, recentFailures: 2 } },
    { name: 'failures older than 24 h do not count', history: failuresAt(30, 25, 0), expected: { action: 'restart', afterMs: 30_000, attempt: 1, recentFailures: 1 } },
    { name: 'exactly 24 h ago is outside the window', history: failuresAt(24, 1, 0), expected: { action: 'restart', afterMs: 60_000, attempt: 2, recentFailures: 2 } },
    { name: 'failures after now (clock skew) do not count', history: [...failuresAt(0), { atMs: NOW_MS + MINUTE_MS, kind: 'hang', taskId: 'x', detail: '' }] as FailureRecord[], expected: { action: 'restart', afterMs: 30_000, attempt: 1, recentFailures: 1 } },
  ])('$name', ({ history, expected }) => {
    expect(decideAfterFailure(history, NOW_MS)).toEqual(expected);
  });

  it.each([
    { name: 'third failure in 24 h', history: failuresAt(20, 5, 0) },
    { name: 'third failure in 24 h with older ones around', history: failuresAt(48, 30, 23.9, 1, 0) },
    { name: 'a fourth failure still gives up', history: failuresAt(3, 2, 1, 0) },
  ])('gives up at the $name, with the runbook in the message', ({ history }) => {
    const decision = decideAfterFailure(history, NOW_MS);

    expect(decision.action).toBe('give-up');
    if (decision.action !== 'give-up') return;
    expect(decision.recentFailures).toBe(recentFailures(history, NOW_MS).length);
    expect(decision.message).toContain(`failed ${decision.recentFailures} times in 24 h`);
    expect(decision.message).toContain(`(last: crash exit ${history.length})`);
    expect(decision.message).toContain('runbook: "rollback, manual"');
  });

  it.each([
    { baseBackoffMs: 30_000, maxBackoffMs: 600_000, maxFailures: 10, failures: 5, afterMs: 480_000 },
    { baseBackoffMs: 30_000, maxBackoffMs: 600_000, maxFailures: 10, failures: 6, afterMs: 600_000 }, // capped
    { baseBackoffMs: 0, maxBackoffMs: 600_000, maxFailures: 3, failures: 2, afterMs: 0 }, // zero backoff, as the tests use
  ])('backoff doubles per attempt and is capped: $failures failures → $afterMs ms', ({ failures, afterMs, ...overrides }) => {
    const policy = { ...DEFAULT_RECOVERY_POLICY, ...overrides };
    const history = failuresAt(...Array.from({ length: failures }, (_, i) => failures - 1 - i));

    expect(decideAfterFailure(history, NOW_MS, policy)).toMatchObject({ action: 'restart', afterMs, attempt: failures });
  });
});

describe('isHung', () => {
  it.each([
    { name: 'beat just now', silentMs: 0, hung: false },
    { name: 'silent for 30 s (one beat missed)', silentMs: 30_000, hung: false },
    { name: 'silent for exactly 2 min', silentMs: 2 * MINUTE_MS, hung: false },
    { name: 'silent for 2 min and 1 ms', silentMs: 2 * MINUTE_MS + 1, hung: true },
    { name: 'silent for 5 min', silentMs: 5 * MINUTE_MS, hung: true },
    { name: 'beat in the future (clock skew)', silentMs: -10_000, hung: false },
  ])('$name → $hung', ({ silentMs, hung }) => {
    expect(isHung(NOW_MS - silentMs, NOW_MS)).toBe(hung);
  });

  it('follows the policy threshold', () => {
    const policy = { ...DEFAULT_RECOVERY_POLICY, hangAfterMs: 10_000 };

    expect(isHung(NOW_MS - 11_000, NOW_MS, policy)).toBe(true);
    expect(isHung(NOW_MS - 9_000, NOW_MS, policy)).toBe(false);
  });
});
