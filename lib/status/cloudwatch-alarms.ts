/**
 * The health probe's view of CloudWatch on AWS: the stack's alarms that are in ALARM now (a Lambda's
 * errors, a dead-letter queue with messages, a silent backtest heartbeat, a CRITICAL validation).
 * The lake says what the jobs recorded; the alarms say what they could not record themselves.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchClient } from '../metrics/cloudwatch.ts';

/** One alarm in ALARM. */
export interface FiringAlarm {
  name: string;
  reason: string;
  sinceMs: number;
}

/** Reads the firing alarms; the probe takes this port so that it runs without AWS too. */
export type FiringAlarmsReader = () => Promise<FiringAlarm[]>;

/**
 * Alarms in ALARM whose names start with `prefix` (the stack names them `candlelake-<stage>-…`).
 * @example const read = cloudWatchFiringAlarms('candlelake-prod-'); const firing = await read();
 */
export function cloudWatchFiringAlarms(prefix: string, client: CloudWatchClient = createCloudWatchClient()): FiringAlarmsReader {
  return async () => {
    const firing: FiringAlarm[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, StateValue: 'ALARM', NextToken: nextToken }));
      // Filtered here as well: some emulators ignore StateValue, and the cost is nil.
      for (const alarm of (page.MetricAlarms ?? []).filter((a) => a.StateValue === 'ALARM' && a.AlarmName?.startsWith(prefix))) {
        firing.push({ name: alarm.AlarmName ?? '?', reason: alarm.StateReason ?? '', sinceMs: alarm.StateUpdatedTimestamp?.getTime() ?? 0 });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return firing;
  };
}
