/**
 * The one schedule table. `jobs.json` feeds both `serverless.yml` (through `${file(...)}`)
 * and the local daemon, so the two can never drift apart. Times are UTC.
 */
import jobs from './jobs.json' with { type: 'json' };

export type JobName = keyof typeof jobs;

export interface JobSchedule {
  /** Five-field cron in UTC, for croner. */
  cron: string;
  /** The same time as an EventBridge `cron(...)` expression. */
  awsCron: string;
  description: string;
}

/** Every job and when it runs. */
export const schedule: Readonly<Record<JobName, JobSchedule>> = jobs;
