/**
 * The probe on AWS also reads the stack's CloudWatch alarms (moto stores alarms and lets a test set
 * their state; it never evaluates them, so the state is set by hand as CloudWatch would).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../lib/clock/index.ts';
import { writeRunRecord } from '../../../lib/lake/run-records.ts';
import { createCloudWatchClient } from '../../../lib/metrics/cloudwatch.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { cloudWatchFiringAlarms } from '../../../lib/status/cloudwatch-alarms.ts';
import { collectStatus, formatStatus, healthExitCode } from '../../../lib/status/index.ts';
import { useAwsEndpoint } from '../../harness/aws.ts';

beforeAll(() => {
  useAwsEndpoint();
});

describe('collectStatus with CloudWatch alarms (moto)', () => {
  it('an alarm of this stack in ALARM makes the probe CRITICAL and names it; other stacks and OK alarms do not count', async () => {
    const client = createCloudWatchClient();
    const stage = `t${randomUUID().slice(0, 8)}`;
    const put = (name: string) =>
      client.send(new PutMetricAlarmCommand({
        AlarmName: name, Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 300, EvaluationPeriods: 1,
        Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
      }));
    for (const name of [`candlelake-${stage}-update-errors`, `candlelake-${stage}-update-dlq`, `candlelake-other${stage}-update-errors`]) await put(name);
    for (const name of [`candlelake-${stage}-update-dlq`, `candlelake-other${stage}-update-errors`]) {
      await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [3.0] was greater than 0.0' }));
    }

    const now = Date.UTC(2024, 5, 10, 12);
    const store = new FileObjectStore(await mkdtemp(join(tmpdir(), 'candlelake-status-alarms-')));
    for (const job of ['update', 'validate', 'backtest', 'digest'] as const) {
      const startedAt = new Date(now - 3_600_000).toISOString();
      await writeRunRecord(store, { job, runId: `${job}-1`, trigger: 'schedule', startedAt, endedAt: startedAt, outcome: 'succeeded', summary: 'ok', details: {} });
    }
    const withoutAlarms = await collectStatus(store, fixedClock(now));
    const report = await collectStatus(store, fixedClock(now), { firingAlarms: cloudWatchFiringAlarms(`candlelake-${stage}-`, client) });

    expect(withoutAlarms.alarms).toBeNull();
    expect(report.alarms!.map((a) => a.name)).toEqual([`candlelake-${stage}-update-dlq`]);
    expect(report.alarms![0]!.reason).toMatch(/^Threshold Crossed/);
    expect(report.status).toBe('CRITICAL');
    expect(healthExitCode(report.status)).toBe(2);
    expect(report.problems).toContain(`CRITICAL alarm candlelake-${stage}-update-dlq: Threshold Crossed: 1 datapoint [3.0] was greater than 0.0`);
    expect(formatStatus(report)).toContain(`alarms     candlelake-${stage}-update-dlq`);
    // The lake alone says nothing is wrong: the alarm is what the probe adds.
    expect(withoutAlarms.problems.filter((p) => p.includes('alarm'))).toEqual([]);
  });
});
