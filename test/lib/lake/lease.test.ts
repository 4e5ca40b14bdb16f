import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { S3FaultProxy } from '../../../bench/chaos/s3-fault-proxy.ts';
import { fixedClock } from '../../../lib/clock/index.ts';
import { acquireLease, isLeaseStale, type LeaseHolder } from '../../../lib/lake/lease.ts';
import type { S3ObjectStore } from '../../../lib/object-store/s3.ts';
import { faultProxiedLake } from '../../harness/aws.ts';
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

describe('lease on S3 when the answer to its PUT is lost (fault proxy in front of moto)', () => {
  let proxy: S3FaultProxy;
  let store: S3ObjectStore;
  let direct: S3ObjectStore;
  beforeAll(async () => {
    ({ proxy, store, direct } = await faultProxiedLake({ prefix: 'lease-lost' }));
  });
  afterEach(async () => {
    proxy.clear();
    for (const object of await direct.list('leases/')) await direct.delete(object.key);
  });
  afterAll(async () => {
    await proxy.close();
  });

  const storedHolder = async (name: string) => JSON.parse(Buffer.from((await direct.get(`leases/${name}.json`))!.body).toString()) as LeaseHolder;

  it('the create-only PUT applied but unanswered: the SDK retry meets our own lease (412), and we hold it', async () => {
    const clock = fixedClock(T0);
    const rule = proxy.add({ when: { method: 'PUT', header: 'if-none-match' }, nth: [1], action: { type: 'lose-response' } });
    const attempt = await acquireLease(store, { name: 'update', runId: 'run-a', ttlMs: 60_000, clock });
    expect(rule.injected()).toBe(1);
    expect(attempt.acquired).toBe(true);
    if (!attempt.acquired) throw new Error('unreachable');
    expect(attempt.tookOverFrom).toBeUndefined();
    // The lease works as one: others are refused, renewal and release go through.
    expect(await acquireLease(store, { name: 'update', runId: 'run-b', ttlMs: 60_000, clock })).toMatchObject({ acquired: false, holder: { runId: 'run-a' } });
    clock.advance(1_000);
    expect(await attempt.lease.renew()).toBe(true);
    await attempt.lease.release();
    expect(await direct.head('leases/update.json')).toBeUndefined();
  });

  it('another acquireLease call with the same run id is not mistaken for the holder', async () => {
    const clock = fixedClock(T0);
    const first = await acquireLease(store, { name: 'update', runId: 'run-a', ttlMs: 60_000, clock });
    expect(first.acquired).toBe(true);
    const again = await acquireLease(store, { name: 'update', runId: 'run-a', ttlMs: 60_000, clock });
    expect(again).toMatchObject({ acquired: false, holder: { runId: 'run-a' } });
    expect((await storedHolder('update')).token).toBe(first.acquired ? first.lease.holder.token : undefined);
  });

  it('the takeover PUT (If-Match) applied but unanswered: we hold the lease and report whom we replaced', async () => {
    const clock = fixedClock(T0);
    await acquireLease(store, { name: 'update', runId: 'old', ttlMs: 60_000, clock });
    clock.advance(60_001);
    const rule = proxy.add({ when: { method: 'PUT', header: 'if-match' }, nth: [1], action: { type: 'lose-response' } });
    const next = await acquireLease(store, { name: 'update', runId: 'new', ttlMs: 60_000, clock });
    expect(rule.injected()).toBe(1);
    expect(next).toMatchObject({ acquired: true, tookOverFrom: { runId: 'old' } });
    expect(await storedHolder('update')).toMatchObject({ runId: 'new' });
  });

  it('a renewal applied but unanswered is still our lease, not a takeover', async () => {
    const clock = fixedClock(T0);
    const attempt = await acquireLease(store, { name: 'update', runId: 'run-a', ttlMs: 60_000, clock });
    if (!attempt.acquired) throw new Error('the lease was not acquired');
    clock.advance(30_000);
    const rule = proxy.add({ when: { method: 'PUT', header: 'if-match' }, nth: [1], action: { type: 'lose-response' } });
    expect(await attempt.lease.renew()).toBe(true);
    expect(rule.injected()).toBe(1);
    expect(attempt.lease.held).toBe(true);
    expect(await storedHolder('update')).toMatchObject({ runId: 'run-a', expiresAtMs: T0 + 90_000 });
    await attempt.lease.release();
    expect(await direct.head('leases/update.json')).toBeUndefined();
  });
});
