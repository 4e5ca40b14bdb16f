import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { beat } from '../../../lib/backtest-task/heartbeat.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { collectStatus, healthExitCode } from '../../../lib/status/index.ts';
import { dueSince, jobStatus } from '../../../lib/status/rules.ts';

const at = (iso: string) => Date.parse(iso);

describe('dueSince and jobStatus', () => {
  it.each([
    ['update', '2024-06-10T01:00:00Z', '2024-06-09T00:30:00Z'], // today's run still has its hour of grace
    ['update', '2024-06-10T01:31:00Z', '2024-06-10T00:30:00Z'],
    ['validate', '2024-06-10T01:31:00Z', '2024-06-10T01:00:00Z'],
    ['backtest', '2024-06-11T03:31:00Z', '2024-06-10T23:30:00Z'],
  ] as const)('%s at %s is due since %s', (job, now, due) => {
    expect(new Date(dueSince(job, at(now))).toISOString()).toBe(new Date(at(due)).toISOString());
  });

  it.each([
    ['on time', { lastStartedMs: at('2024-06-10T00:30:05Z'), outcome: 'succeeded' }, 'OK', false],
    ['missed today', { lastStartedMs: at('2024-06-09T00:30:05Z'), outcome: 'succeeded' }, 'CRITICAL', true],
    ['failed', { lastStartedMs: at('2024-06-10T00:30:05Z'), outcome: 'failed' }, 'CRITICAL', false],
    ['partial', { lastStartedMs: at('2024-06-10T00:30:05Z'), outcome: 'partial' }, 'WARNING', false],
    ['never ran', {}, 'WARNING', true],
  ] as const)('update %s -> %s', (_name, facts, status, overdue) => {
    const s = jobStatus({ job: 'update', ...facts }, at('2024-06-10T12:00:00Z'));
    expect([s.status, s.overdue]).toEqual([status, overdue]);
  });

  it('a job that is not built yet never makes the status worse', () => {
    expect(jobStatus({ job: 'digest' }, at('2024-06-10T12:00:00Z')).status).toBe('OK');
  });
});

describe('a weekly job on a young lake', () => {
  // Wednesday 2024-06-12; the backup's last slot was Sunday 2024-06-09 03:00.
  const now = at('2024-06-12T12:00:00Z');
  it('is not due when the lake went live after its last slot', () => {
    const s = jobStatus({ job: 'backup', installedMs: at('2024-06-10T00:30:00Z') }, now);
    expect([s.status, s.overdue, s.text]).toEqual(['OK', false, 'backup not due yet (the lake went live 2024-06-10T00:30:00.000Z)']);
  });
  it('never ran although the lake was live at its slot: WARNING', () => {
    const s = jobStatus({ job: 'backup', installedMs: at('2024-06-08T00:30:00Z') }, now);
    expect([s.status, s.overdue, s.text]).toEqual(['WARNING', true, 'backup never ran']);
  });
});

describe('collectStatus over a lake', () => {
  it('reads run records and the heartbeat; a running heartbeat silent for 3 minutes is CRITICAL', async () => {
    const store = new FileObjectStore(await mkdtemp(join(tmpdir(), 'status-')));
    const now = at('2024-06-10T23:45:00Z');
    for (const [job, started] of [['update', '2024-06-10T00:30:02Z'], ['validate', '2024-06-10T01:00:02Z'], ['sentiment', '2024-06-10T02:00:02Z'], ['backtest', '2024-06-10T23:30:05Z']] as const) {
      await writeRunRecord(store, { job, runId: `${job}-x`, trigger: 'test', startedAt: started, outcome: job === 'backtest' ? 'running' : 'succeeded', summary: 's', details: {} });
    }
    await beat(store, undefined, { runId: 'backtest-2024-06-10', runDate: '2024-06-10', state: 'running', atMs: now - 30_000, unitsDone: 3, unitsTotal: 12, taskId: 'pid:1', shard: '0/1' });
    const ok = await collectStatus(store, fixedClock(now));
    expect(ok.status).toBe('OK');
    expect(ok.backtestHeartbeat).toMatchObject({ state: 'running', ageSeconds: 30, progressPct: 25, status: 'OK' });
    expect(healthExitCode(ok.status)).toBe(0);

    const later = await collectStatus(store, fixedClock(now + 3 * 60_000));
    expect(later.status).toBe('CRITICAL');
    expect(later.problems).toEqual([expect.stringMatching(/^CRITICAL backtest heartbeat running, 210 s old/)]);
    expect(healthExitCode(later.status)).toBe(2);
  });
});
