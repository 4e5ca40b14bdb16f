/**
 * What the cost estimate assumes when nothing is measured: the deployed configuration (the
 * defaults of serverless.yml) and a duration model per job from the benchmarks and the demo.
 */

/** The jobs the schedule table runs (lib/schedule/jobs.json). */
export const JOBS = ['update', 'validate', 'sentiment', 'backup', 'digest', 'backtest'] as const;
export type JobName = (typeof JOBS)[number];
export type LambdaJob = Exclude<JobName, 'backtest'>;
export const LAMBDA_JOBS: readonly LambdaJob[] = ['update', 'validate', 'sentiment', 'backup', 'digest'];

/** The parts of the stack that cost money, with serverless.yml's defaults. */
export interface DeploymentParams {
  /** Lambda memory (MB) of each scheduled job: params updateMemory, validateMemory, sentimentMemory, backupMemory, digestMemory. */
  memoryMb: Record<LambdaJob, number>;
  /** Fixed sizes under `functions:` (status 1024, notifier 256). */
  statusMemoryMb: number;
  notifierMemoryMb: number;
  /** The Fargate task: params backtestCpu (CPU units, 1024 = 1 vCPU), backtestMemory (MiB), backtestShards. */
  backtestCpu: number;
  backtestMemoryMb: number;
  backtestShards: number;
  /** params backupKeep. */
  backupKeep: number;
  /** params logRetentionDays (the default stage; dev 14, prod 90). */
  logRetentionDays: number;
  /** Resources of type AWS::CloudWatch::Alarm, and the metrics they evaluate (a metric-math alarm counts each). */
  alarms: number;
  alarmMetrics: number;
  /** Resources of type AWS::KMS::Key (the alerts topic's key). */
  kmsKeys: number;
  /** Lake bucket: non-current versions kept (days); backup bucket: deleted versions kept (days). */
  lakeNoncurrentDays: number;
  backupNoncurrentDays: number;
}

/**
 * serverless.yml's `params.default` (and the fixed sizes under `functions:`), used when the file
 * cannot be read: updateMemory 1536, validateMemory 1536, sentimentMemory 1024, backupMemory 2048,
 * digestMemory 1024, backtestCpu 2048, backtestMemory 4096, backtestShards 1, backupKeep 3,
 * logRetentionDays 30; 13 alarms over 14 metrics, one KMS key (AlertsKey).
 */
export const DEFAULT_PARAMS: DeploymentParams = {
  memoryMb: { update: 1536, validate: 1536, sentiment: 1024, backup: 2048, digest: 1024 },
  statusMemoryMb: 1024,
  notifierMemoryMb: 256,
  backtestCpu: 2048,
  backtestMemoryMb: 4096,
  backtestShards: 1,
  backupKeep: 3,
  logRetentionDays: 30,
  alarms: 13,
  alarmMetrics: 14,
  kmsKeys: 1,
  lakeNoncurrentDays: 30,
  backupNoncurrentDays: 14,
};

/** A job's duration: fixed seconds plus seconds per series (symbol × timeframe), symbol, or backtest unit. */
export interface DurationModel {
  fixedS: number;
  perS: number;
  per: 'series' | 'symbol' | 'unit' | 'none';
  source: string;
}

/** From bench/results/*.json, the README's measured figures and the demo (2 cores, Node 20). */
export const DURATION_MODELS: Record<JobName, DurationModel> = {
  update: {
    fixedS: 0,
    perS: 5.17 / 240 + 0.1,
    per: 'series',
    source: 'bench ingest daily run 5.17 s for 240 series + 1 klines request per series paced at 20 % of Binance’s limit (~0.1 s; README: ~2,900 requests in ~5 min)',
  },
  validate: {
    fixedS: 3,
    perS: 1.784 / 240,
    per: 'series',
    source: 'bench validate 1.78 s (mean of 3) for 240 series + ~3 s to mirror the lake into /tmp (assumed)',
  },
  sentiment: {
    fixedS: 5,
    perS: 1,
    per: 'symbol',
    source: 'not benched: ~1 s per symbol for funding, open interest, long/short paced against Binance USD-M (assumed; demo 0.9 s for 2 symbols on loopback)',
  },
  backup: {
    fixedS: 10,
    perS: (130.8 + 9.2 + 30) / 240,
    per: 'series',
    source: 'bench backup: compaction of a year 130.8 s + snapshot of 229 MB at S3’s ~25 MB/s 9.2 s + two integrity checks ~30 s, for 240 series',
  },
  digest: { fixedS: 10, perS: 0, per: 'none', source: 'assumed 10 s (demo 0.1 s locally; on Lambda: lake reads and Telegram sends)' },
  backtest: {
    fixedS: 60,
    perS: 20.5 / 8,
    per: 'unit',
    source: 'demo: 8 units in 20.5 s on 2 cores (2.56 s per symbol × timeframe × strategy unit) + 60 s task start and image pull',
  },
};

/** Measured lake: 229 MB per year of 60 × 4 series incl. features, 963 objects after compaction (bench backup). */
export const LAKE_BYTES_PER_SERIES_YEAR = 229_226_497 / 240;
/**
 * Objects per series: 2 compact parts (ohlcv, features) per year, plus on average 3.5 days of
 * daily parts of each between weekly compactions.
 */
export const LAKE_OBJECTS_PER_SERIES_YEAR = 963 / 240;
export const DAILY_PARTS_PER_SERIES = 2 * 3.5;

/** Log volume per run (KB), Powertools JSON incl. 5 % DEBUG sampling and the platform lines: an estimate. */
export const LOG_KB_PER_RUN: Record<JobName, number> = {
  update: 150,
  validate: 60,
  sentiment: 60,
  backup: 120,
  digest: 20,
  backtest: 200,
};

/** Event-driven functions (no schedule): assumed invocations per month. */
export const EVENT_DRIVEN = {
  notifierInvocations: 30,
  notifierSeconds: 1,
  statusInvocations: 0,
  statusSeconds: 5,
};

/** Backtest container image in ECR (Node 20, DuckDB, the bundle): assumed size. */
export const IMAGE_GB = 0.5;

/** Custom metrics per Lambda job (JobSucceeded, JobFailed, JobDuration, ColdStart), validate's extra three, the backtest's two, Container Insights' (~12, cluster and task family). */
export const METRICS = { perLambdaJob: 4, validateExtra: 3, backtest: 2, containerInsights: 12 };
