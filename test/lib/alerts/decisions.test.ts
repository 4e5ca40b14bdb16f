import { describe, expect, it } from 'vitest';
import { alertDeliveryPlan, alertResolve, alertSafeKey, alertUpsert, type Alert } from '../../../lib/alerts/index.ts';
import { HOUR_MS, T0 } from './fixture.ts';

const source = { job: 'validate', runId: 'r1' };

function alert(overrides: Partial<Alert>): Alert {
  return { key: 'k', severity: 'CRITICAL', source, text: 't', firstSeenMs: T0, lastSeenMs: T0, count: 1, state: 'open', delivery: { attempts: 0 }, ...overrides };
}

describe('alert decisions', () => {
  it('upsert counts up an open alert, keeps the worse severity and takes the new text', () => {
    const next = alertUpsert(alert({ severity: 'CRITICAL' }), { key: 'k', severity: 'WARNING', text: 'new' }, source, T0 + HOUR_MS);
    expect(next).toMatchObject({ count: 2, severity: 'CRITICAL', text: 'new', firstSeenMs: T0, lastSeenMs: T0 + HOUR_MS });
  });

  it('upsert of a resolved alert opens a new occurrence', () => {
    const resolved = alertResolve(alert({ count: 5, delivery: { attempts: 1, sentMs: T0 } }), T0 + 1);
    expect(alertUpsert(resolved, { key: 'k', severity: 'WARNING', text: 'back' }, source, T0 + 2)).toEqual(
      alert({ severity: 'WARNING', text: 'back', firstSeenMs: T0 + 2, lastSeenMs: T0 + 2 }),
    );
  });

  it.each([
    { name: 'unsent CRITICAL', a: alert({}), bucket: 'critical' },
    { name: 'sent CRITICAL', a: alert({ delivery: { attempts: 1, sentMs: T0 } }), bucket: 'none' },
    { name: 'unsent INFO', a: alert({ severity: 'INFO' }), bucket: 'none' },
    { name: 'resolved after its message', a: alert({ state: 'resolved', resolvedAtMs: T0, delivery: { attempts: 1, sentMs: T0 } }), bucket: 'resolved' },
    { name: 'resolved before any message', a: alert({ state: 'resolved', resolvedAtMs: T0 }), bucket: 'archive' },
    { name: 'resolved and told', a: alert({ state: 'resolved', delivery: { attempts: 2, sentMs: T0, resolvedSentMs: T0 } }), bucket: 'archive' },
  ])('plans a $name as $bucket', ({ a, bucket }) => {
    const plan = alertDeliveryPlan([a], T0 + HOUR_MS);
    const buckets = (['critical', 'warningBatch', 'warningWaiting', 'resolved', 'archive'] as const).filter((b) => plan[b].length > 0);
    expect(buckets).toEqual(bucket === 'none' ? [] : [bucket]);
  });

  it.each([
    ['validate:stale:binance:BTC/USDT:1h', 'validate~3Astale~3Abinance~3ABTC~2FUSDT~3A1h'],
    ['plain-key_1.x', 'plain-key_1.x'],
    ['a~3A', 'a~7E3A'],
  ])('safe key of %s is %s', (key, safe) => {
    expect(alertSafeKey(key)).toBe(safe);
  });

  it('safe keys of very long keys are short and still distinct', () => {
    const a = alertSafeKey('x'.repeat(500) + 'a');
    const b = alertSafeKey('x'.repeat(500) + 'b');
    expect(a.length).toBeLessThanOrEqual(180);
    expect(a).not.toBe(b);
  });
});
