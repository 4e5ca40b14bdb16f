import { describe, expect, it } from 'vitest';
import { alertOpenKey, deliverAlerts, openAlerts, raiseAlerts, type Alert } from '../../../lib/alerts/index.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { alertFixture, run } from './fixture.ts';

const FINDING = { key: 'update:fetch-failed', severity: 'CRITICAL' as const, text: 'fetch failed' };
const options = { job: 'update', clearMissing: false };

describe.each(lakeBackends)('alert writes on a $name', (backend) => {
  it.each([2, 6])('%i concurrent raises of one key all count (compare-and-swap)', async (writers) => {
    const { store, deps } = await alertFixture(backend);
    await Promise.all(Array.from({ length: writers }, (_, n) => raiseAlerts(deps, run(n, 'update'), [FINDING], options)));
    expect(await openAlerts(store)).toMatchObject([{ key: FINDING.key, count: writers }]);
  });

  it('an alert is in the lake before the sender is called', async () => {
    const { store, clock, deps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1, 'update'), [FINDING], options);
    const seenInLake: Array<Alert | undefined> = [];
    const sender = {
      async send(alerts: readonly Alert[]) {
        for (const alert of alerts) {
          const got = await store.get(alertOpenKey(alert.key));
          seenInLake.push(got && (JSON.parse(Buffer.from(got.body).toString('utf8')) as Alert));
        }
      },
    };
    await deliverAlerts({ ...deps, sender });
    expect(seenInLake).toMatchObject([{ key: FINDING.key, state: 'open', count: 1, delivery: { attempts: 0 } }]);
    expect(await openAlerts(store)).toMatchObject([{ delivery: { attempts: 1, sentMs: clock.nowMs() } }]);
  });
});
