/**
 * The daemon core on a fake clock: each job at its UTC slot exactly once, misfires caught up once,
 * no overlap of a job with itself, timeouts, and a clean stop that lets the running job finish.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDaemonCore } from '../../../lib/daemon/scheduler.ts';
import { readDaemonStatus } from '../../../lib/daemon/status-store.ts';
import type { DaemonCoreOptions, JobRunner, JobRunnerContext } from '../../../lib/daemon/types.ts';
import type { JobRunOutcome } from '../../../lib/jobs/run-job.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import type { JobName } from '../../../lib/schedule/index.ts';
import { deferred, fakeTime, flush, memoryLogger } from './fake-timer.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function tempStore(): Promise<FileObjectStore> {
  return new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-daemon-')));
}

/** A runner that records each call's job and (fake) time; `hold` makes a job wait for the test. */
function recordingRunner(nowMs: () => number, hold: Partial<Record<JobName, Promise<void>>> = {}) {
  const calls: { job: JobName; at: string; ctx: JobRunnerContext }[] = [];
  const runner: JobRunner = async (job, ctx) => {
    calls.push({ job, at: iso(nowMs()), ctx });
    await hold[job];
    return { job, runId: `${job}-fake`, outcome: 'succeeded', summary: 'fake', seconds: 0 } satisfies JobRunOutcome;
  };
  return { runner, calls };
}

function core(options: Partial<DaemonCoreOptions> & Pick<DaemonCoreOptions, 'store' | 'runner' | 'clock' | 'timer'>) {
  const logger = memoryLogger();
  const daemon = createDaemonCore({ logger, statusEveryMs: HOUR, identity: { pid: 4242, host: 'test-host' }, footprint: () => ({ cpuPct: 1.5, rssBytes: 50_000_000 }), ...options });
  return { daemon, logger };
}

async function record(store: FileObjectStore, job: JobName, startedAt: string, outcome: 'succeeded' | 'running' = 'succeeded') {
  await writeRunRecord(store, { job, runId: `${job}-${startedAt}`, trigger: 'schedule', startedAt, ...(outcome !== 'running' ? { endedAt: startedAt } : {}), outcome, summary: 'ok', details: {} });
}

describe('daemon core: the schedule', () => {
  it('runs each job exactly once at its UTC time across a Sunday and a Monday (backup only on Sunday)', async () => {
    const sunday = Date.parse('2024-06-09T00:00:00Z');
    const time = fakeTime(sunday);
    const { runner, calls } = recordingRunner(time.clock.nowMs);
    const { daemon } = core({ store: await tempStore(), runner, clock: time.clock, timer: time.timer, catchUp: false });
    await daemon.start();

    await time.advanceTo(Date.parse('2024-06-10T00:00:00Z') - 1);
    expect(calls.map((c) => `${c.job} ${c.at}`)).toEqual([
      'update 2024-06-09T00:30:00.000Z',
      'validate 2024-06-09T01:00:00.000Z',
      'sentiment 2024-06-09T02:00:00.000Z',
      'backup 2024-06-09T03:00:00.000Z',
      'digest 2024-06-09T04:00:00.000Z',
      'backtest 2024-06-09T23:30:00.000Z',
    ]);

    await time.advanceTo(Date.parse('2024-06-11T00:00:00Z') - 1);
    expect(calls.slice(6).map((c) => `${c.job} ${c.at}`)).toEqual([
      'update 2024-06-10T00:30:00.000Z',
      'validate 2024-06-10T01:00:00.000Z',
      'sentiment 2024-06-10T02:00:00.000Z',
      'digest 2024-06-10T04:00:00.000Z',
      'backtest 2024-06-10T23:30:00.000Z',
    ]);
    await daemon.stop();
  });

  it('writes daemon/status.json with pid, host, next runs, the running job, the backtest child and its footprint', async () => {
    const store = await tempStore();
    const time = fakeTime(Date.parse('2024-06-10T23:00:00Z'));
    const backtestDone = deferred<void>();
    const { runner, calls } = recordingRunner(time.clock.nowMs, { backtest: backtestDone.promise });
    const { daemon } = core({ store, runner, clock: time.clock, timer: time.timer, catchUp: false });
    await daemon.start();
    await daemon.settled();
    const first = await readDaemonStatus(store);
    expect(first).toMatchObject({ pid: 4242, host: 'test-host', lake: store.url, startedAt: '2024-06-10T23:00:00.000Z', state: 'running', running: [], backtestChildPid: null, cpuPct: 1.5, rssBytes: 50_000_000 });
    expect(Object.fromEntries(first!.jobs.map((j) => [j.job, j.nextRunAt]))).toEqual({
      update: '2024-06-11T00:30:00.000Z',
      validate: '2024-06-11T01:00:00.000Z',
      sentiment: '2024-06-11T02:00:00.000Z',
      backup: '2024-06-16T03:00:00.000Z',
      digest: '2024-06-11T04:00:00.000Z',
      backtest: '2024-06-10T23:30:00.000Z',
    });

    await time.advanceTo(Date.parse('2024-06-10T23:30:00Z'));
    calls[0]!.ctx.onChildPid(9999);
    await daemon.settled();
    const during = await readDaemonStatus(store);
    expect(during).toMatchObject({ running: [{ job: 'backtest', startedAt: '2024-06-10T23:30:00.000Z', reason: 'schedule', timedOut: false }], backtestChildPid: 9999 });
    expect(during!.jobs.find((j) => j.job === 'backtest')!.nextRunAt).toBe('2024-06-11T23:30:00.000Z');

    backtestDone.resolve();
    await flush();
    await daemon.settled();
    const after = await readDaemonStatus(store);
    expect(after).toMatchObject({ running: [], backtestChildPid: null, writtenAt: '2024-06-10T23:30:00.000Z' });
    expect(after!.jobs.find((j) => j.job === 'backtest')).toMatchObject({ lastStartedAt: '2024-06-10T23:30:00.000Z', lastOutcome: 'succeeded' });

    // Every status interval (an hour here) it is written again.
    await time.advanceTo(Date.parse('2024-06-11T00:00:00Z'));
    await daemon.settled();
    expect((await readDaemonStatus(store))!.writtenAt).toBe('2024-06-11T00:00:00.000Z');
    await daemon.stop();
    expect((await readDaemonStatus(store))!.state).toBe('stopped');
  });
});

describe('daemon core: misfires', () => {
  it('runs a job whose slot passed while it was down once at start, not once per missed slot; jobs that ran on time are not re-run', async () => {
    const store = await tempStore();
    // Update last ran three days ago: three slots missed. Everything else ran on time.
    await record(store, 'update', '2024-06-07T00:30:04.000Z');
    await record(store, 'validate', '2024-06-10T01:00:02.000Z');
    await record(store, 'sentiment', '2024-06-10T02:00:01.000Z');
    await record(store, 'backup', '2024-06-09T03:00:00.000Z');
    await record(store, 'digest', '2024-06-10T04:00:00.000Z');
    await record(store, 'backtest', '2024-06-09T23:30:00.000Z');
    const time = fakeTime(Date.parse('2024-06-10T10:00:00Z'));
    const { runner, calls } = recordingRunner(time.clock.nowMs);
    const { daemon, logger } = core({ store, runner, clock: time.clock, timer: time.timer });
    await daemon.start();
    await daemon.settled();

    expect(calls.map((c) => `${c.job} ${c.at}`)).toEqual(['update 2024-06-10T10:00:00.000Z']);
    expect(logger.lines.find((l) => l.message === 'daemon started')!.fields!.catchUp).toEqual(['update (slot 2024-06-10T00:30:00.000Z)']);

    // The rest of the day: no second catch-up; tomorrow's slots as usual.
    await time.advanceTo(Date.parse('2024-06-11T01:00:00Z'));
    expect(calls.map((c) => `${c.job} ${c.at}`)).toEqual([
      'update 2024-06-10T10:00:00.000Z',
      'backtest 2024-06-10T23:30:00.000Z',
      'update 2024-06-11T00:30:00.000Z',
      'validate 2024-06-11T01:00:00.000Z',
    ]);
    await daemon.stop();
  });

  it('catches up several missed jobs in slot order, one after another', async () => {
    const store = await tempStore();
    for (const job of ['update', 'validate', 'sentiment', 'digest'] as const) await record(store, job, '2024-06-09T05:00:00.000Z');
    await record(store, 'backtest', '2024-06-09T23:30:00.000Z');
    await record(store, 'backup', '2024-06-09T03:00:00.000Z');
    const time = fakeTime(Date.parse('2024-06-10T03:30:00Z'));
    const updateDone = deferred<void>();
    const { runner, calls } = recordingRunner(time.clock.nowMs, { update: updateDone.promise });
    const { daemon } = core({ store, runner, clock: time.clock, timer: time.timer });
    await daemon.start();
    await flush();
    expect(calls.map((c) => c.job)).toEqual(['update']);
    updateDone.resolve();
    await daemon.settled();
    expect(calls.map((c) => c.job)).toEqual(['update', 'validate', 'sentiment']);
    await daemon.stop();
  });

  it('does not catch up a slot older than the catch-up window', async () => {
    const store = await tempStore();
    await record(store, 'update', '2024-06-07T00:30:00.000Z');
    for (const job of ['validate', 'sentiment', 'digest', 'backtest', 'backup'] as const) await record(store, job, '2024-06-10T09:00:00.000Z');
    const time = fakeTime(Date.parse('2024-06-10T10:00:00Z'));
    const { runner, calls } = recordingRunner(time.clock.nowMs);
    const { daemon } = core({ store, runner, clock: time.clock, timer: time.timer, catchUpWindowMs: 6 * HOUR });
    await daemon.start();
    await daemon.settled();
    expect(calls).toEqual([]);
    await daemon.stop();
  });
});

describe('daemon core: no overlap, timeouts, shutdown', () => {
  it('does not start a job again while it still runs at its next slot, and logs the skip', async () => {
    const time = fakeTime(Date.parse('2024-06-10T00:00:00Z'));
    const updateDone = deferred<void>();
    const { runner, calls } = recordingRunner(time.clock.nowMs, { update: updateDone.promise });
    const { daemon, logger } = core({ store: await tempStore(), runner, clock: time.clock, timer: time.timer, catchUp: false, timeoutsMs: { update: 0 }, jobs: ['update'] });
    await daemon.start();
    await time.advanceTo(Date.parse('2024-06-12T00:00:00Z'));
    expect(calls.map((c) => c.at)).toEqual(['2024-06-10T00:30:00.000Z']);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => [l.message, l.fields!.slot])).toEqual([
      ['update still running at its next slot: not started again', '2024-06-11T00:30:00.000Z'],
    ]);

    updateDone.resolve();
    await time.advanceTo(Date.parse('2024-06-13T00:00:00Z'));
    expect(calls.map((c) => c.at)).toEqual(['2024-06-10T00:30:00.000Z', '2024-06-12T00:30:00.000Z']);
    await daemon.stop();
  });

  it('logs an error when an in-process job passes its timeout, and does not wait for it on stop', async () => {
    const store = await tempStore();
    const time = fakeTime(Date.parse('2024-06-10T00:00:00Z'));
    const never = deferred<void>();
    const { runner } = recordingRunner(time.clock.nowMs, { validate: never.promise });
    const { daemon, logger } = core({ store, runner, clock: time.clock, timer: time.timer, catchUp: false, jobs: ['validate'], timeoutsMs: { validate: 30 * 60_000 } });
    await daemon.start();
    await time.advanceTo(Date.parse('2024-06-10T01:29:59Z'));
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    await time.advanceTo(Date.parse('2024-06-10T01:30:00Z'));
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['validate timed out after 30 min: no longer waited for']);
    await daemon.settled();
    expect((await readDaemonStatus(store))!.running).toEqual([{ job: 'validate', startedAt: '2024-06-10T01:00:00.000Z', reason: 'schedule', timedOut: true }]);
    await daemon.stop();
  });

  it('on stop: schedules nothing more, aborts the signal, lets the running job finish, then says stopped', async () => {
    const store = await tempStore();
    const time = fakeTime(Date.parse('2024-06-10T00:00:00Z'));
    const updateDone = deferred<void>();
    const { runner, calls } = recordingRunner(time.clock.nowMs, { update: updateDone.promise });
    const { daemon } = core({ store, runner, clock: time.clock, timer: time.timer, catchUp: false, timeoutsMs: { update: 0 } });
    await daemon.start();
    await time.advanceTo(Date.parse('2024-06-10T00:45:00Z'));
    expect(calls.map((c) => c.job)).toEqual(['update']);

    let stopped = false;
    const stopping = daemon.stop().then(() => (stopped = true));
    await flush();
    expect(calls[0]!.ctx.signal.aborted).toBe(true);
    expect(stopped).toBe(false);
    expect(daemon.status().state).toBe('stopping');

    await time.advanceTo(Date.parse('2024-06-10T05:00:00Z'));
    expect(calls.map((c) => c.job)).toEqual(['update']);
    expect(stopped).toBe(false);
    updateDone.resolve();
    await stopping;
    const final = await readDaemonStatus(store);
    expect(final).toMatchObject({ state: 'stopped', running: [] });
    expect(final!.jobs.every((j) => j.nextRunAt === null)).toBe(true);
    expect(final!.jobs.find((j) => j.job === 'update')!.lastOutcome).toBe('succeeded');
    expect(time.pendingCount()).toBe(0);
  });

  it('a job that throws is logged as failed and runs again at its next slot', async () => {
    const time = fakeTime(Date.parse('2024-06-10T00:00:00Z'));
    const at: string[] = [];
    const runner: JobRunner = async (job) => {
      at.push(iso(time.clock.nowMs()));
      throw new Error(`${job} exploded`);
    };
    const { daemon, logger } = core({ store: await tempStore(), runner, clock: time.clock, timer: time.timer, catchUp: false, jobs: ['digest'] });
    await daemon.start();
    await time.advanceTo(Date.parse('2024-06-11T05:00:00Z'));
    expect(at).toEqual(['2024-06-10T04:00:00.000Z', '2024-06-11T04:00:00.000Z']);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['digest failed: digest exploded', 'digest failed: digest exploded']);
    expect(daemon.status().jobs[0]!.lastOutcome).toBe('failed');
    await daemon.stop();
  });
});
