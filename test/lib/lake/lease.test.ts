import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { acquireLease, isLeaseStale } from '../../../lib/lake/lease.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';

const T0 = Date.UTC(2024, 5, 1, 0, 30);

describe.each(lakeBackends)('lease on a $name', (backend) => {
  it('the first run takes it, a second one is told who holds it', async () => {
    const { store } = await backend.open();
    const clock = fixedClock(T0);
    const first = await acquireLease(store, { name: 'update', runId: 'run-a', ttlMs: 60_000, clock });
    const second = await acquireLease(store, { name: 'update', runId: 'run-b', ttlMs: 60_000, clock });
    expect(first.acquired).toBe(true);
    expect(second).toMatchObject({ acquired: false, holder: { runId: 'run-a', pid: process.pid, expiresAtMs: T0 + 60_000 } });
  });

  it('of ten runs racing for it, exactly one wins', async () => {
    const { store } = await backend.open();
    const clock = fixedClock(T0);
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => acquireLease(store, { name: 'race', runId: `run-${i}`, ttlMs: 60_000, clock })),
    );
    expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
  });

  it('an expired lease is taken over, and the old holder learns it lost it on renewal', async () => {
    const { store } = await backend.open();
    const clock = fixedClock(T0);
    const old = await acquireLease(store, { name: 'update', runId: 'old', ttlMs: 60_000, clock });
    clock.advance(60_001);
    const next = await acquireLease(store, { name: 'update', runId: 'new', ttlMs: 60_000, clock });
    expect(next).toMatchObject({ acquired: true, tookOverFrom: { runId: 'old' } });
    if (!old.acquired || !next.acquired) throw new Error('unreachable');
    expect(await old.lease.renew()).toBe(false);
    expect(old.lease.held).toBe(false);
    await old.lease.release(); // not ours any more: must leave the new holder's lease alone
    const third = await acquireLease(store, { name: 'update', runId: 'third', ttlMs: 60_000, clock });
    expect(third).toMatchObject({ acquired: false, holder: { runId: 'new' } });
    await next.lease.release();
    expect((await acquireLease(store, { name: 'update', runId: 'fourth', ttlMs: 60_000, clock })).acquired).toBe(true);
  });

  it('a lease whose process died on this host is taken over before it expires', async () => {
    const { store } = await backend.open();
    const clock = fixedClock(T0);
    await acquireLease(store, { name: 'update', runId: 'dead', ttlMs: 3_600_000, clock });
    const next = await acquireLease(store, { name: 'update', runId: 'alive', ttlMs: 60_000, clock, isProcessAlive: () => false });
    expect(next).toMatchObject({ acquired: true, tookOverFrom: { runId: 'dead' } });
  });
});

describe('isLeaseStale', () => {
  const holder = { name: 'update', runId: 'r', host: 'box', pid: 42, acquiredAtMs: 0, expiresAtMs: 1_000 };
  it.each([
    ['expired', 1_000, 'box', true, true],
    ['live on this host', 500, 'box', true, false],
    ['dead on this host', 500, 'box', false, true],
    ['another host, not expired', 500, 'other', false, false],
  ])('%s -> %s', (_name, now, host, alive, stale) => {
    expect(isLeaseStale(holder, now, host, () => alive)).toBe(stale);
  });
});
