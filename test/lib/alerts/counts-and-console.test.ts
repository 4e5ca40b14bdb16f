import { describe, expect, it } from 'vitest';
import { alertCounts, alertMessageLines, consoleAlertSender, deliverAlerts, raiseAlerts, type Alert } from '../../../lib/alerts/index.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import { logCallText, recordCapturedOutput } from '../../harness/secret-log-guard.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';
import { alertFixture, HOUR_MS, run, T0 } from './fixture.ts';

const options = { job: 'validate', clearMissing: true };

describe.each(lakeBackends)('alert counts on a $name', (backend) => {
  it('count open, raised and resolved since an instant, and what is still due', async () => {
    const { store, clock, deps, deliveryDeps } = await alertFixture(backend);
    await raiseAlerts(deps, run(1), [{ key: 'c:gone', severity: 'CRITICAL', text: 'x' }], options);
    await deliverAlerts(deliveryDeps);
    clock.advance(HOUR_MS);
    await raiseAlerts(deps, run(2), [{ key: 'c:new', severity: 'CRITICAL', text: 'y' }, { key: 'w:new', severity: 'WARNING', text: 'z' }], options);
    expect(await alertCounts(store, T0 + 1)).toEqual({
      open: { INFO: 0, WARNING: 1, CRITICAL: 1 },
      raisedSince: { INFO: 0, WARNING: 1, CRITICAL: 1 },
      resolvedSince: 1,
      pendingDelivery: 3, // c:new, w:new, and the resolved message of c:gone
    });
    await deliverAlerts(deliveryDeps, { flush: true });
    expect(await alertCounts(store, T0)).toMatchObject({ raisedSince: { CRITICAL: 2 }, resolvedSince: 1, pendingDelivery: 0 });
  });
});

describe('consoleAlertSender', () => {
  it('logs a CRITICAL as an error, one line per alert', async () => {
    const logged: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      recordCapturedOutput(logCallText(level, message, fields), 'consoleAlertSender logger');
      return logged.push([level, message, fields]);
    };
    const logger: JobLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const alert: Alert = {
      key: 'update:fetch-failed', severity: 'CRITICAL', source: run(1, 'update'), text: 'fetch failed', firstSeenMs: T0,
      lastSeenMs: T0, count: 3, state: 'open', delivery: { attempts: 0 },
    };
    await consoleAlertSender(logger).send([alert], 'critical');
    expect(logged).toEqual([['error', 'alert', { kind: 'critical', keys: ['update:fetch-failed'], lines: ['CRITICAL update:fetch-failed ×3 — fetch failed'] }]]);
    expect(alertMessageLines([alert], 'resolved')).toEqual(['RESOLVED update:fetch-failed ×3 — fetch failed']);
  });
});
