/** The health probe's daemon section: from `daemon/status.json`, stale after 3 minutes. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { writeDaemonStatus } from '../../../lib/daemon/status-store.ts';
import type { DaemonStatus } from '../../../lib/daemon/types.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { collectStatus, formatStatus } from '../../../lib/status/index.ts';
import { daemonHealth } from '../../../lib/status/rules.ts';

const NOW = Date.parse('2024-06-10T12:00:00Z');

async function lakeWithJobsOnTime(): Promise<FileObjectStore> {
  const store = new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-status-daemon-')));
  for (const [job, startedAt] of [['update', '2024-06-10T00:30:00Z'], ['validate', '2024-06-10T01:00:00Z'], ['sentiment', '2024-06-10T02:00:00Z'], ['backup', '2024-06-09T03:00:00Z'], ['digest', '2024-06-10T04:00:00Z'], ['backtest', '2024-06-09T23:30:00Z']] as const) {
    await writeRunRecord(store, { job, runId: `${job}-1`, trigger: 'daemon', startedAt, endedAt: startedAt, outcome: 'succeeded', summary: 'ok', details: {} });
  }
  return store;
}

function daemonStatus(writtenAt: string, overrides: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    pid: 4242, host: 'desk-1', lake: 'file:///lake', startedAt: '2024-06-08T09:00:00.000Z', writtenAt, state: 'running',
    jobs: [
      { job: 'update', cron: '30 0 * * *', nextRunAt: '2024-06-11T00:30:00.000Z', lastStartedAt: '2024-06-10T00:30:00.000Z', lastOutcome: 'succeeded' },
      { job: 'backtest', cron: '30 23 * * *', nextRunAt: '2024-06-10T23:30:00.000Z', lastStartedAt: null, lastOutcome: null },
    ],
    running: [{ job: 'backtest', startedAt: '2024-06-10T11:00:00.000Z', reason: 'catch-up', timedOut: false }],
    backtestChildPid: 5151, cpuPct: 0.4, rssBytes: 120 * 1_048_576,
    ...overrides,
  };
}

describe('status: the daemon section', () => {
  it('is null and changes nothing when no daemon ever ran on the lake', async () => {
    const report = await collectStatus(await lakeWithJobsOnTime(), fixedClock(NOW));
    expect([report.daemon, report.status, report.problems]).toEqual([null, 'OK', []]);
    expect(formatStatus(report)).not.toContain('  daemon ');
  });

  it('a fresh status: OK, with its pid, running jobs, next runs, backtest child and footprint', async () => {
    const store = await lakeWithJobsOnTime();
    await writeDaemonStatus(store, daemonStatus('2024-06-10T11:59:10.000Z'));
    const report = await collectStatus(store, fixedClock(NOW));
    expect(report.daemon).toEqual({
      pid: 4242, host: 'desk-1', state: 'running', startedAt: '2024-06-08T09:00:00.000Z', writtenAt: '2024-06-10T11:59:10.000Z', ageSeconds: 50,
      running: ['backtest'], nextRuns: { update: '2024-06-11T00:30:00.000Z', backtest: '2024-06-10T23:30:00.000Z' },
      backtestChildPid: 5151, cpuPct: 0.4, rssBytes: 125_829_120, status: 'OK', text: 'daemon pid 4242 on desk-1 up, running backtest',
    });
    expect([report.status, report.problems]).toEqual(['OK', []]);
    expect(formatStatus(report)).toContain('  daemon     OK       daemon pid 4242 on desk-1 up, running backtest, cpu 0.4%, rss 120 MB, backtest child pid 5151, next backtest at 2024-06-10T23:30:00.000Z');
  });

  it.each([
    ['stale (older than 3 minutes)', daemonStatus('2024-06-10T11:56:59.000Z'), 'WARNING daemon not running (pid 4242 on desk-1: last status 181 s old)'],
    ['stopped cleanly', daemonStatus('2024-06-10T11:59:00.000Z', { state: 'stopped', running: [] }), 'WARNING daemon not running (pid 4242 on desk-1 stopped at 2024-06-10T11:59:00.000Z)'],
  ])('%s: WARNING "daemon not running"', async (_name, status, problem) => {
    const store = await lakeWithJobsOnTime();
    await writeDaemonStatus(store, status);
    const report = await collectStatus(store, fixedClock(NOW));
    expect([report.status, report.daemon!.status, report.problems]).toEqual(['WARNING', 'WARNING', [problem]]);
    expect(formatStatus(report)).toContain(`  daemon     WARNING  ${problem.replace(/^WARNING /, '')}\n`);
  });

  it.each([
    [179_000, 'OK'],
    [180_000, 'OK'],
    [180_001, 'WARNING'],
  ] as const)('daemonHealth: status written %d ms ago → %s', (ageMs, expected) => {
    expect(daemonHealth({ pid: 1, host: 'h', state: 'running', writtenAtMs: NOW - ageMs, running: [] }, NOW).status).toBe(expected);
  });
});
