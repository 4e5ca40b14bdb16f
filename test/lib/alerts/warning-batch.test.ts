import { describe, expect, it } from 'vitest';
import { alertCounts, deliverAlerts, openAlerts, raiseAlerts } from '../../../lib/alerts/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { alertFixture, HOUR_MS, run, T0 } from './fixture.ts';

const options = { job: 'validate', clearMissing: false };
const warning = (key: string) => ({ key, severity: 'WARNING' as const, text: `${key} looks off` });

describe.each(lakeBackends)('WARNING and INFO delivery on a $name', (backend) => {
  it('WARNINGs wait for the window, then go out as one batch', async () => {
    const { clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [warning('w:a')], options);
    clock.advance(20 * 60_000);
    await raiseAlerts(deps, run(2), [warning('w:b')], options);
    const early = await deliverAlerts(deliveryDeps);
    expect(early).toMatchObject({ messages: 0, pending: { warning: ['w:a', 'w:b'] } });

    clock.set(T0 + HOUR_MS);
    const due = await deliverAlerts(deliveryDeps);
    expect(due.sent.warning).toEqual(['w:a', 'w:b']);
    expect(sender.messages).toEqual([{ kind: 'warning-batch', keys: ['w:a', 'w:b'], counts: [1, 1] }]);
    expect((await deliverAlerts(deliveryDeps)).messages).toBe(0);
  });

  it.each([
    { name: 'a shorter window', delivery: { warningWindowMs: 10 * 60_000 }, sent: 1 },
    { name: 'flush', delivery: { flush: true }, sent: 1 },
    { name: 'the default window', delivery: {}, sent: 0 },
  ])('with $name, a 15-minute-old WARNING is sent: $sent', async ({ delivery, sent }) => {
    const { clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [warning('w:a')], options);
    clock.advance(15 * 60_000);
    await deliverAlerts(deliveryDeps, delivery);
    expect(sender.messages).toHaveLength(sent);
  });

  it('a WARNING escalated to CRITICAL after its batch is sent again, as CRITICAL', async () => {
    const { clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [warning('w:a')], options);
    await deliverAlerts(deliveryDeps, { flush: true });
    clock.advance(HOUR_MS);
    await raiseAlerts(deps, run(2), [{ ...warning('w:a'), severity: 'CRITICAL' }], options);
    clock.advance(HOUR_MS);
    await raiseAlerts(deps, run(3), [warning('w:a')], options);
    await deliverAlerts(deliveryDeps);
    expect(sender.messages.map((m) => m.kind)).toEqual(['warning-batch', 'critical']);
  });

  it('INFO is never sent, only counted for the digest', async () => {
    const { store, clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [{ key: 'i:compaction-due', severity: 'INFO', text: 'compaction due' }], options);
    clock.advance(48 * HOUR_MS);
    const summary = await deliverAlerts(deliveryDeps, { flush: true });
    expect(summary.messages).toBe(0);
    expect(sender.calls).toBe(0);
    expect(await openAlerts(store)).toMatchObject([{ key: 'i:compaction-due', severity: 'INFO' }]);
    expect(await alertCounts(store, T0)).toMatchObject({ open: { INFO: 1, WARNING: 0, CRITICAL: 0 }, pendingDelivery: 0 });
  });
});
