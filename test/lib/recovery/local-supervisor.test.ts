/**
 * The local supervisor stopped by its signal (a daemon shutting down), with real child processes:
 * the child gets SIGTERM (SIGKILL if it ignores it), the stop is no failure and starts no restart,
 * and a restart waiting in its backoff is cancelled.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { loadRecoveryHistory } from '../../../lib/recovery/history.ts';
import { superviseBacktest, type SupervisorEvent, type SupervisorOptions } from '../../../lib/recovery/local-supervisor.ts';
import { DEFAULT_RECOVERY_POLICY } from '../../../lib/recovery/policy.ts';
import { silentLogger } from '../alerts/fixture.ts';

// The children write READY_FILE once their SIGTERM handler is in place, so a test stops them after.
const READY = "require('node:fs').writeFileSync(process.env.READY_FILE, 'ready');";
/** A child that checkpoints on SIGTERM (exit 5, as lib/backtest-task does) and otherwise runs on. */
const CHECKPOINTING_CHILD = [process.execPath, '-e', `process.on('SIGTERM', () => process.exit(5)); ${READY} setInterval(() => {}, 1000)`];
/** A child deaf to SIGTERM: only SIGKILL ends it. */
const DEAF_CHILD = [process.execPath, '-e', `process.on('SIGTERM', () => {}); ${READY} setInterval(() => {}, 1000)`];
/** A child that crashes at once. */
const CRASHING_CHILD = [process.execPath, '-e', 'process.exit(4)'];

async function supervise(command: string[], overrides: Partial<SupervisorOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-supervisor-'));
  const store = new FileObjectStore(join(dir, 'lake'));
  const readyFile = join(dir, 'ready');
  const events: SupervisorEvent[] = [];
  const controller = new AbortController();
  const run = superviseBacktest({
    store, logger: silentLogger, command, env: () => ({ ...process.env, READY_FILE: readyFile }), pollMs: 20, killGraceMs: 2_000, nice: 0,
    onEvent: (event) => events.push(event), signal: controller.signal, ...overrides,
  });
  const ready = () => expect.poll(() => existsSync(readyFile), { timeout: 10_000 }).toBe(true);
  return { store, events, controller, run, ready };
}

describe('superviseBacktest with a signal', () => {
  it('on abort stops the running child with SIGTERM; its exit is no failure and nothing restarts', async () => {
    const { store, events, controller, run, ready } = await supervise(CHECKPOINTING_CHILD);
    await ready();
    const startedAt = performance.now();

    controller.abort();
    const result = await run;

    expect(result).toMatchObject({ outcome: 'stopped', attempts: 1 });
    expect(performance.now() - startedAt).toBeLessThan(2_000); // SIGTERM sufficed: no wait for the SIGKILL grace
    expect(events.map((e) => e.kind)).toEqual(['started', 'stopped']);
    expect(events[1]!.detail).toBe('stopped for shutdown (exit 5); not a failure');
    expect((await loadRecoveryHistory(store)).failures).toEqual([]);
  });

  it('a child that ignores SIGTERM is killed after the grace', async () => {
    const { events, controller, run, ready } = await supervise(DEAF_CHILD, { killGraceMs: 300 });
    await ready();

    controller.abort();
    const result = await run;

    expect(result.outcome).toBe('stopped');
    expect(events.at(-1)!.detail).toBe('stopped for shutdown (SIGKILL); not a failure');
  });

  it('cancels a restart waiting in its backoff; the real crash before it stays in the history', async () => {
    const policy = { ...DEFAULT_RECOVERY_POLICY, baseBackoffMs: 60_000 };
    const { store, events, controller, run } = await supervise(CRASHING_CHILD, { policy });
    await expect.poll(() => events.some((e) => e.kind === 'restart-scheduled'), { timeout: 10_000 }).toBe(true);
    const abortedAt = performance.now();

    controller.abort();
    const result = await run;

    expect(result).toMatchObject({ outcome: 'stopped', attempts: 1 });
    expect(performance.now() - abortedAt).toBeLessThan(1_000); // not the 60 s backoff
    expect(events.map((e) => e.kind)).toEqual(['started', 'exited', 'restart-scheduled', 'stopped']);
    expect((await loadRecoveryHistory(store)).failures).toMatchObject([{ kind: 'crash', detail: 'exit 4' }]);
  });

  it('an already aborted signal starts nothing', async () => {
    const store = new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-supervisor-')));
    const result = await superviseBacktest({ store, logger: silentLogger, command: CHECKPOINTING_CHILD, env: () => process.env, signal: AbortSignal.abort() });

    expect(result.outcome).toBe('stopped');
    expect(result.attempts).toBe(0);
    expect(result.events.map((e) => e.kind)).toEqual(['stopped']);
  });
});
