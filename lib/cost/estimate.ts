/**
 * The monthly AWS bill of the deployed configuration, as a pure calculation: parameters and
 * durations in, line items and a total out. Reading serverless.yml, the schedule table and the
 * lake happens at the edges (lib/cost/inputs.ts).
 */
import {
  DAILY_PARTS_PER_SERIES,
  DEFAULT_PARAMS,
  DURATION_MODELS,
  EVENT_DRIVEN,
  IMAGE_GB,
  JOBS,
  LAKE_BYTES_PER_SERIES_YEAR,
  LAKE_OBJECTS_PER_SERIES_YEAR,
  LAMBDA_JOBS,
  LOG_KB_PER_RUN,
  METRICS,
  type DeploymentParams,
  type JobName,
} from './defaults.ts';
import { FREE_TIER, PRICES, type PriceTable } from './prices.ts';

/** Days in a month as AWS bills it (730 hours). */
export const DAYS_PER_MONTH = 730 / 24;

export interface CostInput {
  params: DeploymentParams;
  /** Five-field cron per job (lib/schedule/jobs.json `cron`, UTC). */
  schedules: Record<JobName, string>;
  symbols: number;
  timeframes: number;
  backtestTimeframes: number;
  backtestStrategies: number;
  /** Seconds per run, overriding the duration models (from `--durations` or the lake's run records). */
  durations?: Partial<Record<JobName, number>>;
  /** Where each overriding duration came from, for the assumptions column. */
  durationSources?: Partial<Record<JobName, string>>;
  /** Years of history the lake holds (without a measured size). */
  years?: number;
  /** Measured lake size and object count (`--from-lake`). */
  lakeBytes?: number;
  lakeObjects?: number;
  freeTier?: boolean;
  natGateway?: boolean;
  prices?: PriceTable;
}

export type Service = 'Lambda' | 'Fargate' | 'S3' | 'CloudWatch' | 'KMS' | 'ECR' | 'SNS/SQS' | 'NAT gateway' | 'Free tier';

export interface LineItem {
  service: Service;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  assumption: string;
  /** False for items shown but not counted (a NAT gateway the stack does not create). */
  included: boolean;
}

export interface CostEstimate {
  region: string;
  pricesTakenOn: string;
  priceNote: string;
  freeTier: boolean;
  runsPerMonth: Record<JobName, number>;
  durationsS: Record<JobName, number>;
  items: LineItem[];
  totalUsd: number;
  byService: Partial<Record<Service, number>>;
}

/**
 * How many values a cron field matches.
 * @example cronFieldCount('*', 0, 59) // 60
 * @example cronFieldCount('0,30', 0, 59) // 2
 */
export function cronFieldCount(field: string, min: number, max: number, names: Record<string, number> = {}): number {
  const matched = new Set<number>();
  const value = (text: string): number => {
    const named = names[text.toUpperCase()];
    const n = named ?? Number(text);
    if (!Number.isInteger(n)) throw new Error(`cron field "${field}": "${text}" is not a number`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron field "${field}": bad step`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range!.includes('-')) [lo, hi] = range!.split('-').map(value) as [number, number];
    else [lo, hi] = stepText === undefined ? [value(range!), value(range!)] : [value(range!), max];
    for (let v = lo; v <= hi; v += step) matched.add(v === 7 && max === 6 ? 0 : v);
  }
  return matched.size;
}

const DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

/**
 * Runs per (730-hour) month of a five-field UTC cron: daily 30.42, weekly 4.35, hourly 730.
 * @example runsPerMonth('30 0 * * *') // 30.416…
 */
export function runsPerMonth(cron: string): number {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron "${cron}": expected five fields`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const perDay = cronFieldCount(minute, 0, 59) * cronFieldCount(hour, 0, 23);
  let days = DAYS_PER_MONTH;
  if (dom !== '*' && dom !== '?') days = cronFieldCount(dom, 1, 31) * (DAYS_PER_MONTH / 30.4375);
  if (dow !== '*' && dow !== '?') days = (days * cronFieldCount(dow, 0, 6, DAY_NAMES)) / 7;
  if (month !== '*') days = (days * cronFieldCount(month, 1, 12)) / 12;
  return perDay * days;
}

/** Seconds per run of each job: the override if given, else its duration model. */
export function jobDurations(input: CostInput): Record<JobName, number> {
  const units = input.symbols * input.backtestTimeframes * input.backtestStrategies;
  const series = input.symbols * input.timeframes;
  const out = {} as Record<JobName, number>;
  for (const job of JOBS) {
    const given = input.durations?.[job];
    if (given !== undefined) {
      out[job] = given;
      continue;
    }
    const m = DURATION_MODELS[job];
    const count = m.per === 'series' ? series : m.per === 'symbol' ? input.symbols : m.per === 'unit' ? units : 0;
    out[job] = m.fixedS + m.perS * count;
  }
  return out;
}

/** S3 requests of one run of a job (per the ingest bench: 1 LIST + 1 PUT per series per daily update, + fixed). */
export function requestsPerRun(
  job: JobName,
  ctx: { series: number; symbols: number; units: number; lakeObjects: number; durationS: number },
): { putList: number; get: number } {
  const { series, symbols, units, lakeObjects, durationS } = ctx;
  switch (job) {
    case 'update': // bench: 241 LIST, 246 PUT, 1 GET for 240 series
      return { putList: series + 6 + (series + 1), get: 1 };
    case 'validate': // mirror on a cold /tmp: every object; listings per series; report, findings, run record
      return { putList: 2 * series + 10 + 5, get: lakeObjects };
    case 'sentiment': // funding, open interest, long/short per symbol: a LIST and a PUT each, + fear & greed, macro
      return { putList: 2 * (3 * symbols + 6), get: 2 };
    case 'backup': // lake: integrity ×2 and snapshot reads; compaction stage + publish; copies, read-back, manifest
      return { putList: 4 * series + 50 + lakeObjects + 2, get: 5 * lakeObjects };
    case 'digest':
      return { putList: 15, get: 20 };
    case 'backtest': // 3 result objects + a done marker per unit, a heartbeat every 30 s; reads every series
      return { putList: 4 * units + Math.ceil(durationS / 30) + 2 * series + 5, get: lakeObjects };
  }
}

const round = (n: number, digits = 6): number => Number(n.toFixed(digits));

/** The estimate. Pure: same input, same output. */
export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const p = input.prices ?? PRICES['us-east-1'];
  const params = input.params ?? DEFAULT_PARAMS;
  const series = input.symbols * input.timeframes;
  const units = input.symbols * input.backtestTimeframes * input.backtestStrategies;
  const years = input.years ?? 1;
  const durations = jobDurations(input);
  const runs = {} as Record<JobName, number>;
  for (const job of JOBS) runs[job] = runsPerMonth(input.schedules[job]);
  const measuredLake = input.lakeBytes !== undefined;
  const lakeGb = (input.lakeBytes ?? LAKE_BYTES_PER_SERIES_YEAR * series * years) / 1e9;
  const lakeObjects = input.lakeObjects ?? Math.round(LAKE_OBJECTS_PER_SERIES_YEAR * series * years + DAILY_PARTS_PER_SERIES * series);
  const items: LineItem[] = [];
  const add = (item: Omit<LineItem, 'included'> & { included?: boolean }): void => {
    items.push({ ...item, quantity: round(item.quantity), usd: round(item.usd), included: item.included ?? true });
  };
  const source = (job: JobName): string => input.durationSources?.[job] ?? (input.durations?.[job] !== undefined ? 'given' : DURATION_MODELS[job].source);

  // Lambda: GB-seconds and requests per scheduled job.
  let lambdaGbS = 0;
  let lambdaRequests = 0;
  for (const job of LAMBDA_JOBS) {
    const gb = params.memoryMb[job] / 1024;
    const gbS = gb * durations[job] * runs[job];
    lambdaGbS += gbS;
    lambdaRequests += runs[job];
    add({
      service: 'Lambda',
      item: `${job} (${params.memoryMb[job]} MB)`,
      quantity: gbS,
      unit: 'GB-s',
      usd: gbS * p.lambda.perGbSecond + (runs[job] / 1e6) * p.lambda.perMillionRequests,
      assumption: `${runs[job].toFixed(2)} runs × ${durations[job].toFixed(1)} s × ${gb} GB; ${source(job)}`,
    });
  }
  const eventGbS =
    (params.notifierMemoryMb / 1024) * EVENT_DRIVEN.notifierSeconds * EVENT_DRIVEN.notifierInvocations +
    (params.statusMemoryMb / 1024) * EVENT_DRIVEN.statusSeconds * EVENT_DRIVEN.statusInvocations;
  const eventRequests = EVENT_DRIVEN.notifierInvocations + EVENT_DRIVEN.statusInvocations;
  lambdaGbS += eventGbS;
  lambdaRequests += eventRequests;
  add({
    service: 'Lambda',
    item: 'notifier, status, backtestRecovery',
    quantity: eventGbS,
    unit: 'GB-s',
    usd: eventGbS * p.lambda.perGbSecond + (eventRequests / 1e6) * p.lambda.perMillionRequests,
    assumption: `event-driven: ${EVENT_DRIVEN.notifierInvocations} alert notifications × ${EVENT_DRIVEN.notifierSeconds} s; status by hand; recovery only after a failure`,
  });

  // Fargate: the daily backtest.
  const vcpu = params.backtestCpu / 1024;
  const taskGb = params.backtestMemoryMb / 1024;
  const billedS = Math.max(durations.backtest, p.fargate.minimumSeconds);
  const taskHours = (billedS / 3600) * runs.backtest * params.backtestShards;
  add({
    service: 'Fargate',
    item: `backtest vCPU (${vcpu} vCPU)`,
    quantity: vcpu * taskHours,
    unit: 'vCPU-h',
    usd: vcpu * taskHours * p.fargate.perVcpuHour,
    assumption: `${runs.backtest.toFixed(2)} runs × ${params.backtestShards} task × ${durations.backtest.toFixed(0)} s (${units} units); ${source('backtest')}`,
  });
  add({
    service: 'Fargate',
    item: `backtest memory (${taskGb} GB)`,
    quantity: taskGb * taskHours,
    unit: 'GB-h',
    usd: taskGb * taskHours * p.fargate.perGbHour,
    assumption: 'same task-hours; 20 GB ephemeral storage included',
  });

  // S3: storage and requests.
  const lakeAssumption = measuredLake
    ? `measured in the lake: ${(lakeGb * 1e3).toFixed(1)} MB, ${lakeObjects} objects`
    : `229 MB per year of 60 × 4 series incl. features (bench backup), × ${series} series / 240 × ${years} year(s)`;
  add({ service: 'S3', item: 'lake storage', quantity: lakeGb, unit: 'GB-month', usd: lakeGb * p.s3.perGbMonth, assumption: lakeAssumption });
  // Weekly compaction rewrites the current year's compact part of every series; the replaced
  // version stays non-current for lakeNoncurrentDays. On average half a year of data is current.
  const yearGb = measuredLake ? lakeGb / Math.max(years, 1) : (LAKE_BYTES_PER_SERIES_YEAR * series) / 1e9;
  const noncurrentGb = ((params.lakeNoncurrentDays / 7) * yearGb) / 2;
  add({
    service: 'S3',
    item: 'lake non-current versions',
    quantity: noncurrentGb,
    unit: 'GB-month',
    usd: noncurrentGb * p.s3.perGbMonth,
    assumption: `weekly compaction replaces the current year's parts (half a year's data on average); kept ${params.lakeNoncurrentDays} days`,
  });
  const backupGb = (params.backupKeep + params.backupNoncurrentDays / 7) * lakeGb;
  add({
    service: 'S3',
    item: 'backup snapshots',
    quantity: backupGb,
    unit: 'GB-month',
    usd: backupGb * p.s3.perGbMonth,
    assumption: `${params.backupKeep} kept + ${(params.backupNoncurrentDays / 7).toFixed(0)} deleted ones held ${params.backupNoncurrentDays} days by versioning, each a full copy of the lake`,
  });
  let putList = 0;
  let gets = 0;
  const requestParts: string[] = [];
  for (const job of JOBS) {
    const r = requestsPerRun(job, { series, symbols: input.symbols, units, lakeObjects, durationS: durations[job] });
    putList += r.putList * runs[job];
    gets += r.get * runs[job];
    requestParts.push(`${job} ${Math.round(r.putList)}/${Math.round(r.get)}`);
  }
  add({
    service: 'S3',
    item: 'PUT, COPY, LIST requests',
    quantity: putList,
    unit: 'requests',
    usd: (putList / 1000) * p.s3.perThousandPutListRequests,
    assumption: `per run PUT+LIST/GET: ${requestParts.join(', ')} (ingest bench: 1 LIST + 1 PUT per series per update)`,
  });
  add({
    service: 'S3',
    item: 'GET requests',
    quantity: gets,
    unit: 'requests',
    usd: (gets / 1000) * p.s3.perThousandGetRequests,
    assumption: `validate and backtest read the whole lake (${lakeObjects} objects) on a cold /tmp; backup reads it 5×`,
  });

  // CloudWatch: custom metrics prorated by the hours they are published, alarms, logs.
  const metricHours =
    LAMBDA_JOBS.reduce((sum, job) => sum + METRICS.perLambdaJob * runs[job], 0) +
    METRICS.validateExtra * runs.validate +
    (METRICS.backtest + METRICS.containerInsights) * Math.ceil(durations.backtest / 3600) * runs.backtest * params.backtestShards;
  const metricMonths = metricHours / p.hoursPerMonth;
  add({
    service: 'CloudWatch',
    item: 'custom metrics',
    quantity: metricMonths,
    unit: 'metric-months',
    usd: metricMonths * p.cloudWatch.perMetricMonth,
    assumption: `${LAMBDA_JOBS.length * METRICS.perLambdaJob + METRICS.validateExtra + METRICS.backtest} candlelake metrics + ~${METRICS.containerInsights} Container Insights, each billed only for the hours it is published (${metricHours.toFixed(0)} metric-hours)`,
  });
  add({
    service: 'CloudWatch',
    item: `alarms (${params.alarms})`,
    quantity: params.alarmMetrics,
    unit: 'alarm metrics',
    usd: params.alarmMetrics * p.cloudWatch.perAlarmMetricMonth,
    assumption: `standard resolution, $${p.cloudWatch.perAlarmMetricMonth} per metric evaluated (the heartbeat alarm's metric math counts 2)`,
  });
  const logGb = JOBS.reduce((sum, job) => sum + LOG_KB_PER_RUN[job] * runs[job], 0) / 1e6;
  add({
    service: 'CloudWatch',
    item: 'log ingestion',
    quantity: logGb,
    unit: 'GB',
    usd: logGb * p.cloudWatch.perGbLogsIngested,
    assumption: `estimate: ${JOBS.map((j) => `${j} ${LOG_KB_PER_RUN[j]} KB`).join(', ')} per run`,
  });
  const storedLogGb = logGb * (params.logRetentionDays / DAYS_PER_MONTH);
  add({
    service: 'CloudWatch',
    item: 'log storage',
    quantity: storedLogGb,
    unit: 'GB-month',
    usd: storedLogGb * p.cloudWatch.perGbLogsStoredMonth,
    assumption: `${params.logRetentionDays} days retained (uncompressed upper bound)`,
  });

  add({
    service: 'KMS',
    item: 'alerts topic key',
    quantity: params.kmsKeys,
    unit: 'keys',
    usd: params.kmsKeys * p.kms.perKeyMonth,
    assumption: 'customer managed key (alarms cannot publish under aws/sns); annual rotation adds $1/month for each of the first two rotations',
  });
  add({
    service: 'ECR',
    item: 'backtest image',
    quantity: IMAGE_GB,
    unit: 'GB-month',
    usd: IMAGE_GB * p.ecr.perGbMonth,
    assumption: `one image of ~${IMAGE_GB} GB kept (assumed)`,
  });
  const notifications = EVENT_DRIVEN.notifierInvocations;
  add({
    service: 'SNS/SQS',
    item: 'alerts topic, dead-letter queues',
    quantity: notifications,
    unit: 'messages',
    usd: (notifications / 1e6) * 0.5,
    assumption: 'negligible: $0.50 per million publishes; DLQs empty when all is well',
  });
  const natGb = (IMAGE_GB + lakeGb) * runs.backtest * params.backtestShards;
  add({
    service: 'NAT gateway',
    item: 'NAT gateway (not in the stack)',
    quantity: p.hoursPerMonth,
    unit: 'hours',
    usd: p.hoursPerMonth * p.natGateway.perHour + natGb * p.natGateway.perGbProcessed,
    assumption: input.natGateway
      ? `counted (--nat-gateway): 730 h + ${natGb.toFixed(1)} GB (image pulls and lake reads) processed`
      : 'not counted: only if the task subnets reach out through a NAT gateway (--nat-gateway); an S3 gateway endpoint or a public IP avoids it',
    included: Boolean(input.natGateway),
  });

  if (input.freeTier) {
    const free = (service: Service, item: string, used: number, allowance: number, price: number, unit: string): void => {
      const covered = Math.min(used, allowance);
      if (covered > 0) add({ service: 'Free tier', item, quantity: -covered, unit, usd: -covered * price, assumption: `${allowance} ${unit} free per month (${service})` });
    };
    free('Lambda', 'Lambda compute', lambdaGbS, FREE_TIER.lambdaGbSeconds, p.lambda.perGbSecond, 'GB-s');
    free('Lambda', 'Lambda requests', lambdaRequests, FREE_TIER.lambdaRequests, p.lambda.perMillionRequests / 1e6, 'requests');
    free('S3', 'S3 storage (12-month)', lakeGb + noncurrentGb + backupGb, FREE_TIER.s3GbMonth, p.s3.perGbMonth, 'GB-month');
    free('S3', 'S3 PUT/LIST (12-month)', putList, FREE_TIER.s3PutListRequests, p.s3.perThousandPutListRequests / 1000, 'requests');
    free('S3', 'S3 GET (12-month)', gets, FREE_TIER.s3GetRequests, p.s3.perThousandGetRequests / 1000, 'requests');
    free('CloudWatch', 'CloudWatch metrics', metricMonths, FREE_TIER.cloudWatchMetrics, p.cloudWatch.perMetricMonth, 'metric-months');
    free('CloudWatch', 'CloudWatch alarms', params.alarmMetrics, FREE_TIER.cloudWatchAlarmMetrics, p.cloudWatch.perAlarmMetricMonth, 'alarm metrics');
    free('CloudWatch', 'CloudWatch logs', logGb, FREE_TIER.cloudWatchLogsGb, p.cloudWatch.perGbLogsIngested, 'GB');
  }

  const byService: Partial<Record<Service, number>> = {};
  let total = 0;
  for (const item of items) {
    if (!item.included) continue;
    total += item.usd;
    byService[item.service] = round((byService[item.service] ?? 0) + item.usd);
  }
  return {
    region: p.region,
    pricesTakenOn: p.takenOn,
    priceNote: p.note,
    freeTier: Boolean(input.freeTier),
    runsPerMonth: Object.fromEntries(JOBS.map((j) => [j, round(runs[j], 4)])) as Record<JobName, number>,
    durationsS: Object.fromEntries(JOBS.map((j) => [j, round(durations[j], 2)])) as Record<JobName, number>,
    items,
    totalUsd: round(Math.max(total, 0), 4),
    byService,
  };
}

/** A money figure for the table: cents, or four decimals under a cent. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  const text = abs === 0 ? '0.00' : abs < 0.01 ? abs.toFixed(4) : abs.toFixed(2);
  return `${usd < 0 ? '-' : ''}$${text}`;
}

/** The estimate as a table a person reads: line items with their assumptions, then the total. */
export function formatEstimate(estimate: CostEstimate): string {
  const rows = estimate.items.map((i) => [
    i.service,
    i.item,
    `${i.quantity.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${i.unit}`,
    i.included ? formatUsd(i.usd) : `(${formatUsd(i.usd)})`,
    i.assumption,
  ]);
  const header = ['service', 'item', 'usage / month', 'USD / month', 'assumption'];
  const widths = header.slice(0, 4).map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : c < 4 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd();
  const services = Object.entries(estimate.byService)
    .sort((a, b) => b[1] - a[1])
    .map(([s, usd]) => `${s} ${formatUsd(usd)}`)
    .join(' · ');
  return [
    `candlelake monthly AWS estimate — ${estimate.priceNote}; prices taken ${estimate.pricesTakenOn}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `by service: ${services}`,
    `total: ${formatUsd(estimate.totalUsd)} per month${estimate.freeTier ? ' (after the free tier)' : ''}`,
  ].join('\n');
}
