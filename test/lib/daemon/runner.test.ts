/**
 * The real runner: `runJob` for a cheap job through the daemon core, and the backtest stopped on
 * shutdown (SIGTERM to the supervisor's child; the stop is not counted as a failure).
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../lib/config/load.ts';
import { realJobRunner } from '../../../lib/daemon/runner.ts';
import { createDaemonCore } from '../../../lib/daemon/scheduler.ts';
import type { RunJobContext } from '../../../lib/jobs/run-job.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { loadRecoveryHistory, saveRecoveryHistory } from '../../../lib/recovery/history.ts';
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
    const runner = realJobRunner({ config, logger, clock: time.clock, store, env: {}, backtest: { nice: 10, workers: 1 } });
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

  it('on abort stops the backtest child with SIGTERM, returns once the supervisor recorded the exit, and drops that exit from the failure history', async () => {
    const { store, config } = await tempLake();
    const logger = memoryLogger();
    const seen: { nice?: number; workers?: number } = {};
    const pids: (number | undefined)[] = [];
    // Stands in for superviseBacktest: one child that checkpoints (exit 5) on SIGTERM; its exit is
    // recorded as a failure and a restart scheduled, as the real supervisor does.
    const run = async (_job: string, ctx: RunJobContext) => {
      Object.assign(seen, { nice: ctx.backtest?.nice, workers: ctx.backtest?.workers });
      const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => process.exit(5)); setInterval(() => {}, 1000)"]);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      ctx.backtest!.onEvent!({ atMs: 0, kind: 'started', pid: child.pid!, detail: 'attempt 1' });
      const code = await exited;
      ctx.backtest!.onEvent!({ atMs: 1, kind: 'exited', pid: child.pid!, detail: `exit ${code}` });
      const history = await loadRecoveryHistory(store);
      history.failures.push({ atMs: 1, kind: 'crash', taskId: 'pid:1', detail: 'an earlier real crash' }, { atMs: 2, kind: 'crash', taskId: `pid:${child.pid}`, detail: `exit ${code}` });
      await saveRecoveryHistory(store, history);
      ctx.backtest!.onEvent!({ atMs: 2, kind: 'restart-scheduled', pid: child.pid!, detail: 'restart 2 in 30.0 s' });
      return new Promise<never>(() => {}); // the supervisor would sleep, then restart
    };
    const runner = realJobRunner({ config, logger, clock: { nowMs: () => Date.parse('2024-06-10T23:31:00Z') }, store, backtest: { nice: 12, workers: 3 }, run });
    const controller = new AbortController();
    const outcome = runner('backtest', { signal: controller.signal, onChildPid: (pid) => pids.push(pid) });
    await vi.waitFor(() => expect(pids.length).toBe(1));
    controller.abort();

    expect(await outcome).toMatchObject({ job: 'backtest', runId: 'backtest-2024-06-10', outcome: 'interrupted' });
    expect(seen).toEqual({ nice: 12, workers: 3 });
    expect(pids).toEqual([expect.any(Number), undefined]);
    expect((await loadRecoveryHistory(store)).failures.map((f) => f.detail)).toEqual(['an earlier real crash']);
  });
});
