import { describe, expect, it } from 'vitest';
import { deliverAlerts, openAlerts, raiseAlerts } from '../../../lib/alerts/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { alertFixture, HOUR_MS, run } from './fixture.ts';

const options = { job: 'update', clearMissing: true };
const FINDINGS = [
  { key: 'update:fetch-failed:BTC/USDT', severity: 'CRITICAL' as const, text: 'fetch failed' },
  { key: 'update:fetch-failed:ETH/USDT', severity: 'CRITICAL' as const, text: 'fetch failed' },
  { key: 'update:slow', severity: 'WARNING' as const, text: 'slow exchange' },
];

describe.each(lakeBackends)('a sender outage on a $name', (backend) => {
  it('loses nothing: alerts stay pending, and a later delivery sends each exactly once', async () => {
    const { store, clock, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1, 'update'), FINDINGS, options);
    sender.failing = true;
    const during = await deliverAlerts(deliveryDeps, { flush: true });
    expect(during).toMatchObject({ messages: 0, failures: 3, sent: { critical: [], warning: [] } });
    expect(during.pending.critical).toEqual(['update:fetch-failed:BTC/USDT', 'update:fetch-failed:ETH/USDT']);
    expect(during.pending.warning).toEqual(['update:slow']);
    for (const alert of await openAlerts(store)) {
      expect(alert.delivery).toEqual({ attempts: 1, lastError: 'telegram unreachable' });
    }

    clock.advance(HOUR_MS);
    sender.failing = false;
    const after = await deliverAlerts(deliveryDeps);
    const again = await deliverAlerts(deliveryDeps);
    expect(after.sent).toEqual({ critical: ['update:fetch-failed:BTC/USDT', 'update:fetch-failed:ETH/USDT'], warning: ['update:slow'], resolved: [] });
    expect(again.messages).toBe(0);
    expect(sender.messages.flatMap((m) => m.keys).sort()).toEqual(FINDINGS.map((f) => f.key).sort());
    for (const alert of await openAlerts(store)) {
      expect(alert.delivery).toEqual({ attempts: 2, sentMs: clock.nowMs() });
    }
  });

  it('keeps a resolved message pending until it goes out', async () => {
    const { store, sender, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1, 'update'), FINDINGS.slice(0, 1), options);
    await deliverAlerts(deliveryDeps);
    await raiseAlerts(deps, run(2, 'update'), [], options);
    sender.failing = true;
    const during = await deliverAlerts(deliveryDeps);
    expect(during.pending.resolved).toEqual(['update:fetch-failed:BTC/USDT']);
    expect(await store.list('alerts/resolved/')).toEqual([]);
    sender.failing = false;
    await deliverAlerts(deliveryDeps);
    await deliverAlerts(deliveryDeps);
    expect(sender.messages.map((m) => m.kind)).toEqual(['critical', 'resolved']);
    expect(await store.list('alerts/open/')).toEqual([]);
  });
});
