/**
 * AWS list prices (USD) the cost estimate uses: one small typed table per region.
 *
 * List prices, on-demand, no free tier (the estimate applies the always-free allowances only with
 * `--free-tier`), no Savings Plans or credits. Taken from the AWS public pricing pages for
 * us-east-1 (N. Virginia); Fargate's rates re-checked against published June 2026 figures. Prices
 * change: check https://aws.amazon.com/pricing/ before quoting a figure to anyone.
 */

export interface PriceTable {
  region: string;
  /** When the figures were taken (YYYY-MM). */
  takenOn: string;
  note: string;
  lambda: {
    /** x86_64, per GB-second (first 6 billion GB-s tier). */
    perGbSecond: number;
    perMillionRequests: number;
  };
  fargate: {
    /** Linux/x86, per vCPU-hour. */
    perVcpuHour: number;
    perGbHour: number;
    /** Fargate bills per second with a one-minute minimum per task. */
    minimumSeconds: number;
  };
  s3: {
    /** S3 Standard, first 50 TB, per GB-month. */
    perGbMonth: number;
    /** PUT, COPY, POST, LIST per 1,000 requests. */
    perThousandPutListRequests: number;
    /** GET, SELECT and all other requests per 1,000. */
    perThousandGetRequests: number;
  };
  cloudWatch: {
    /** Custom metric per month (first 10,000), prorated by the hours a metric is published. */
    perMetricMonth: number;
    /** Standard-resolution alarm, per metric the alarm evaluates, per month. */
    perAlarmMetricMonth: number;
    perGbLogsIngested: number;
    perGbLogsStoredMonth: number;
  };
  kms: {
    perKeyMonth: number;
  };
  ecr: {
    perGbMonth: number;
  };
  natGateway: {
    perHour: number;
    perGbProcessed: number;
  };
  /** AWS bills a month as 730 hours. */
  hoursPerMonth: number;
}

export const PRICES: Record<'us-east-1', PriceTable> = {
  'us-east-1': {
    region: 'us-east-1',
    takenOn: '2026-06',
    note: 'list prices (on-demand, USD), us-east-1, from the AWS public pricing pages; no free tier unless --free-tier',
    lambda: { perGbSecond: 0.0000166667, perMillionRequests: 0.2 },
    fargate: { perVcpuHour: 0.04048, perGbHour: 0.004445, minimumSeconds: 60 },
    s3: { perGbMonth: 0.023, perThousandPutListRequests: 0.005, perThousandGetRequests: 0.0004 },
    cloudWatch: { perMetricMonth: 0.3, perAlarmMetricMonth: 0.1, perGbLogsIngested: 0.5, perGbLogsStoredMonth: 0.03 },
    kms: { perKeyMonth: 1 },
    ecr: { perGbMonth: 0.1 },
    natGateway: { perHour: 0.045, perGbProcessed: 0.045 },
    hoursPerMonth: 730,
  },
};

export type PriceRegion = keyof typeof PRICES;

/**
 * The always-free allowances (per account and month) `--free-tier` deducts. S3's are the
 * 12-month allowance of a new account; the others do not expire.
 */
export const FREE_TIER = {
  lambdaGbSeconds: 400_000,
  lambdaRequests: 1_000_000,
  s3GbMonth: 5,
  s3PutListRequests: 2_000,
  s3GetRequests: 20_000,
  cloudWatchMetrics: 10,
  cloudWatchAlarmMetrics: 10,
  cloudWatchLogsGb: 5,
} as const;
