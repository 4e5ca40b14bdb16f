/** Which slot a starting daemon catches up, from the run records alone. */
import { describe, expect, it } from 'vitest';
import { latestSlotMs, missedSlot, type MisfireFacts } from '../../../lib/daemon/misfire.ts';

const t = (s: string) => Date.parse(s);

describe('latestSlotMs', () => {
  it.each([
    ['update', '2024-06-10T10:00:00Z', '2024-06-10T00:30:00.000Z'],
    ['update', '2024-06-10T00:30:00Z', '2024-06-10T00:30:00.000Z'],
    ['update', '2024-06-10T00:29:59Z', '2024-06-09T00:30:00.000Z'],
    ['backtest', '2024-06-10T10:00:00Z', '2024-06-09T23:30:00.000Z'],
    ['backup', '2024-06-12T10:00:00Z', '2024-06-09T03:00:00.000Z'],
  ] as const)('%s at %s → %s', (job, now, slot) => {
    expect(new Date(latestSlotMs(job, t(now))).toISOString()).toBe(slot);
  });
});

describe('missedSlot', () => {
  const cases: [string, MisfireFacts, string | undefined][] = [
    ['update last ran yesterday, daemon starts at 10:00', { job: 'update', nowMs: t('2024-06-10T10:00:00Z'), lastStartedMs: t('2024-06-09T00:30:05Z') }, '2024-06-10T00:30:00.000Z'],
    ['update missed three days: still one slot, the latest', { job: 'update', nowMs: t('2024-06-10T10:00:00Z'), lastStartedMs: t('2024-06-07T00:30:05Z') }, '2024-06-10T00:30:00.000Z'],
    ['update ran on time today', { job: 'update', nowMs: t('2024-06-10T10:00:00Z'), lastStartedMs: t('2024-06-10T00:30:01Z') }, undefined],
    ['validate ran late today (a catch-up): not again', { job: 'validate', nowMs: t('2024-06-10T10:00:00Z'), lastStartedMs: t('2024-06-10T08:00:00Z') }, undefined],
    ['backup ran last Sunday, now Wednesday', { job: 'backup', nowMs: t('2024-06-12T10:00:00Z'), lastStartedMs: t('2024-06-09T03:00:00Z') }, undefined],
    ['backup missed on Sunday, now Wednesday (weekly window: 7 days)', { job: 'backup', nowMs: t('2024-06-12T10:00:00Z'), lastStartedMs: t('2024-06-02T03:00:00Z') }, '2024-06-09T03:00:00.000Z'],
    ['a window of 6 h: the 00:30 slot is too old at 10:00', { job: 'update', nowMs: t('2024-06-10T10:00:00Z'), lastStartedMs: t('2024-06-09T00:30:00Z'), windowMs: 6 * 3_600_000 }, undefined],
    ['update never ran: a new lake is filled at once', { job: 'update', nowMs: t('2024-06-10T10:00:00Z') }, '2024-06-10T00:30:00.000Z'],
    ['digest never ran on a lake live since before its slot', { job: 'digest', nowMs: t('2024-06-10T10:00:00Z'), installedMs: t('2024-06-01T00:30:00Z') }, '2024-06-10T04:00:00.000Z'],
    ['digest never ran, lake went live after the slot', { job: 'digest', nowMs: t('2024-06-10T10:00:00Z'), installedMs: t('2024-06-10T09:00:00Z') }, undefined],
    ['the backtest interrupted by a daemon stop (record still running): resumes', { job: 'backtest', nowMs: t('2024-06-11T06:00:00Z'), lastStartedMs: t('2024-06-10T23:30:00Z'), lastOutcome: 'running' }, '2024-06-10T23:30:00.000Z'],
    ['the backtest finished: not again', { job: 'backtest', nowMs: t('2024-06-11T06:00:00Z'), lastStartedMs: t('2024-06-10T23:30:00Z'), lastOutcome: 'succeeded' }, undefined],
    ['an update record still running is not re-run (not resumable; its lease decides)', { job: 'update', nowMs: t('2024-06-10T06:00:00Z'), lastStartedMs: t('2024-06-10T00:30:00Z'), lastOutcome: 'running' }, undefined],
    ['validate never ran, no lake yet', { job: 'validate', nowMs: t('2024-06-10T10:00:00Z') }, undefined],
  ];
  it.each(cases)('%s', (_name, facts, expected) => {
    const slot = missedSlot(facts);
    expect(slot === undefined ? undefined : new Date(slot).toISOString()).toBe(expected);
  });
});
