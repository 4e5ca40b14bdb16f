/**
 * The real runner: `runJob` for a cheap job through the daemon core, and what it hands the
 * supervised backtest (the shutdown signal, nice, workers) and takes back (the child's pid).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../lib/config/load.ts';
import { realJobRunner } from '../../../lib/daemon/runner.ts';
import { createDaemonCore } from '../../../lib/daemon/scheduler.ts';
import type { JobRunOutcome, RunJobContext } from '../../../lib/jobs/run-job.ts';
import type { JobName } from '../../../lib/schedule/index.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { fakeTime, memoryLogger } from './fake-timer.ts';

async function tempLake() {
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-daemon-runner-'));
  return { store: new FileObjectStore(dir), config: loadConfig({ env: {}, overrides: { lake: `file://${dir}` } }) };
}

describe('realJobRunner', () => {
  it('runs the real runJob at the job’s slot (backup without a backup store: skipped) and logs its outcome', async () => {
    const { store, config } = await tempLake();
    const time = fakeTime(Date.parse('2024-06-09T02:59:00Z'));
    const logger = memoryLogger();
    const runner = realJobRunner({ config, logger, clock: time.clock, env: {}, backtest: { nice: 10, workers: 1 } });
    const core = createDaemonCore({ store, runner, logger, clock: time.clock, timer: time.timer, jobs: ['backup'], catchUp: false, statusEveryMs: 3_600_000 });
    await core.start();
    await time.advanceTo(Date.parse('2024-06-09T03:00:00Z'));
    await vi.waitFor(() => expect(core.status().running).toEqual([]));
    expect(logger.lines.filter((l) => l.fields?.job === 'backup' && l.level !== 'debug').map((l) => [l.level, l.message])).toEqual([
      ['info', 'backup started'],
      ['info', 'backup skipped: no backup store configured (CANDLELAKE_BACKUP)'],
    ]);
    expect(core.status().jobs[0]).toMatchObject({ job: 'backup', lastStartedAt: '2024-06-09T03:00:00.000Z', lastOutcome: 'skipped', nextRunAt: '2024-06-16T03:00:00.000Z' });
    await core.stop();
  });

  it('hands the backtest the daemon\'s signal, nice and workers, and follows its child\'s pid from the supervisor\'s events', async () => {
    const { config } = await tempLake();
    const seen: Array<Pick<RunJobContext, 'signal' | 'backtest'>> = [];
    const pids: (number | undefined)[] = [];
    // Stands in for runJob: the supervisor's events for one child that is stopped on shutdown
    // (the supervisor itself is tested in test/lib/recovery/local-supervisor.test.ts).
    const run = async (job: JobName, ctx: RunJobContext): Promise<JobRunOutcome> => {
      seen.push({ signal: ctx.signal, backtest: ctx.backtest });
      ctx.backtest!.onEvent!({ atMs: 0, kind: 'started', pid: 4242, detail: 'attempt 1' });
      await new Promise((resolve) => ctx.signal!.addEventListener('abort', resolve, { once: true }));
      ctx.backtest!.onEvent!({ atMs: 1, kind: 'stopped', pid: 4242, detail: 'stopped for shutdown' });
      return { job, runId: 'backtest-2024-06-10', outcome: 'interrupted', summary: 'stopped by a shutdown', seconds: 1 };
    };
    const runner = realJobRunner({ config, logger: memoryLogger(), clock: { nowMs: () => Date.parse('2024-06-10T23:31:00Z') }, backtest: { nice: 12, workers: 3 }, run });
    const controller = new AbortController();
    const outcome = runner('backtest', { signal: controller.signal, onChildPid: (pid) => pids.push(pid) });
    await vi.waitFor(() => expect(pids).toEqual([4242]));
    controller.abort();

    expect(await outcome).toMatchObject({ job: 'backtest', outcome: 'interrupted' });
    expect(pids).toEqual([4242, undefined]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.signal).toBe(controller.signal);
    expect(seen[0]!.backtest).toMatchObject({ nice: 12, workers: 3 });
  });
});
