import { describe, expect, it } from 'vitest';
import { alertOpenKey, deliverAlerts, openAlerts, raiseAlerts } from '../../../lib/alerts/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { alertFixture, HOUR_MS, run } from './fixture.ts';

const STALE = { key: 'validate:stale:binance:BTC/USDT:1h', severity: 'CRITICAL' as const, text: 'BTC/USDT 1h is 3 h behind' };
const options = { job: 'validate', clearMissing: true };

describe.each(lakeBackends)('a CRITICAL problem on a $name', (backend) => {
  it('seen on three runs is sent exactly once, and counted 3', async () => {
    const { store, clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    for (let n = 1; n <= 3; n += 1) {
      await raiseAlerts(deps, run(n), [STALE], options);
      await deliverAlerts(deliveryDeps);
      clock.advance(HOUR_MS);
    }
    expect(sender.messages).toEqual([{ kind: 'critical', keys: [STALE.key], counts: [1] }]);
    const [alert] = await openAlerts(store);
    expect(alert).toMatchObject({ key: STALE.key, count: 3, state: 'open', source: { runId: 'validate-run-3' } });
    expect(alert?.lastSeenMs).toBe(alert!.firstSeenMs + 2 * HOUR_MS);
    expect(await store.head(alertOpenKey(STALE.key))).toBeDefined();
  });

  it('reports repeats of a sent problem as suppressed', async () => {
    const { clock, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [STALE], options);
    await deliverAlerts(deliveryDeps);
    clock.advance(HOUR_MS);
    await raiseAlerts(deps, run(2), [STALE], options);
    const summary = await deliverAlerts(deliveryDeps);
    expect(summary).toMatchObject({ messages: 0, suppressed: 1, sent: { critical: [] } });
  });

  it('once cleared, is told resolved exactly once, then nothing more', async () => {
    const { store, clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [STALE], options);
    await deliverAlerts(deliveryDeps);
    clock.advance(HOUR_MS);
    const raised = await raiseAlerts(deps, run(2), [], options);
    expect(raised.resolved).toEqual([STALE.key]);
    const first = await deliverAlerts(deliveryDeps);
    const second = await deliverAlerts(deliveryDeps);
    expect(sender.messages.map((m) => m.kind)).toEqual(['critical', 'resolved']);
    expect(first.archived).toEqual([STALE.key]);
    expect(second).toMatchObject({ messages: 0, archived: [] });
    expect(await openAlerts(store)).toEqual([]);
    expect(await store.head(alertOpenKey(STALE.key))).toBeUndefined();
    expect((await store.list('alerts/resolved/date=2024-06-01/')).map((o) => o.key)).toHaveLength(1);
  });

  it('coming back after it was resolved and told opens a new alert, sent again', async () => {
    const { store, clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [STALE], options);
    await deliverAlerts(deliveryDeps);
    clock.advance(HOUR_MS);
    await raiseAlerts(deps, run(2), [], options);
    await deliverAlerts(deliveryDeps);
    clock.advance(HOUR_MS);
    const raised = await raiseAlerts(deps, run(3), [STALE], options);
    await deliverAlerts(deliveryDeps);
    expect(raised.opened).toEqual([STALE.key]);
    expect(sender.messages.map((m) => m.kind)).toEqual(['critical', 'resolved', 'critical']);
    expect(await openAlerts(store)).toMatchObject([{ count: 1, firstSeenMs: clock.nowMs() }]);
  });

  it('is cleared only by its own job', async () => {
    const { store, deps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1, 'update'), [{ ...STALE, key: 'update:fetch-failed' }], { job: 'update', clearMissing: true });
    const raised = await raiseAlerts(deps, run(1), [], options);
    expect(raised.resolved).toEqual([]);
    expect(await openAlerts(store)).toMatchObject([{ key: 'update:fetch-failed', state: 'open' }]);
  });

  it('resolved before it was ever sent needs no message', async () => {
    const { store, sender, deps, deliveryDeps } = await alertFixture(backend);
    const warning = { ...STALE, severity: 'WARNING' as const };
    await raiseAlerts(deps, run(1), [warning], options);
    await raiseAlerts(deps, run(2), [], options);
    const summary = await deliverAlerts(deliveryDeps, { flush: true });
    expect(sender.messages).toEqual([]);
    expect(summary.archived).toEqual([STALE.key]);
    expect(await store.list('alerts/open/')).toEqual([]);
  });
});
