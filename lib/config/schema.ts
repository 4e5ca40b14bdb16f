/**
 * The configuration schema. Every setting has its default here, in one place, and is
 * validated at load so a typo fails before anything touches the lake.
 */
import { z } from 'zod';
import { parseStoreUrl } from '../object-store/index.ts';
import { DEFAULT_FEATURES, parseFeatureSpec } from '../features/definitions.ts';
import { DEFAULT_SYMBOLS, DEFAULT_TIMEFRAMES, TIMEFRAMES } from './universe.ts';
import { STATS_PERIODS } from '../sentiment/periods.ts';

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

const SymbolSchema = z
  .string()
  .regex(/^[A-Z0-9]{2,20}\/[A-Z0-9]{2,10}$/, 'expected a unified symbol like BTC/USDT');

export const ExchangeConfigSchema = z.object({
  id: z.literal('binance').default('binance'),
  /**
   * Replaces scheme and host of every Binance REST endpoint (spot, USD-M, futures data), paths kept.
   * For tests, the offline stand-in, and proxies.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Share of the exchange's request-weight limit this process may use; the live trader needs the rest. */
  rateLimitShare: z.number().gt(0).max(1).default(0.2),
  /** Binance spot: 6,000 request weight per minute per IP. */
  weightLimitPerMinute: z.number().int().positive().default(6000),
  /** Pause when the IP's total weight this minute (header `x-mbx-used-weight-1m`) passes this share of the limit. */
  ipWeightCeilingShare: z.number().gt(0).max(1).default(0.8),
  /** Attempts per request, the first included. */
  maxTries: z.number().int().min(1).max(10).default(5),
  retryBaseMs: z.number().int().min(1).max(60_000).default(1_000),
  /** A Retry-After longer than this fails the request instead of waiting (an IP ban can last days). */
  maxRetryAfterMs: z.number().int().min(0).default(120_000),
});

export const UniverseConfigSchema = z.object({
  symbols: z.array(SymbolSchema).min(1).refine(unique, 'symbols must be unique').default([...DEFAULT_SYMBOLS]),
  timeframes: z.array(z.enum(TIMEFRAMES)).min(1).refine(unique, 'timeframes must be unique').default([...DEFAULT_TIMEFRAMES]),
});

export const UpdateConfigSchema = z.object({
  /** How far back the first run of a series reaches when no `--since` is given. */
  initialLookbackDays: z.number().int().min(1).max(3650).default(365),
  /** Series fetched at once; ccxt's limiter still paces the requests. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /** A lease older than this without renewal is considered abandoned. */
  leaseTtlMs: z.number().int().min(1_000).default(15 * 60_000),
  /** Write what a long backfill has fetched every this many candles, so a killed run keeps its progress. */
  flushEveryCandles: z.number().int().min(100).default(50_000),
});

export const FeaturesConfigSchema = z.object({
  /** Recompute the indicator layer after each update. */
  enabled: z.boolean().default(true),
  /** Indicators the live trader reads, as specs (`sma:20`, `bollinger:20:2`, `macd:12:26:9`). */
  indicators: z
    .array(
      z.string().superRefine((spec, ctx) => {
        try {
          parseFeatureSpec(spec);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    )
    .default([...DEFAULT_FEATURES]),
});

const durationsByTimeframe = z.object(Object.fromEntries(TIMEFRAMES.map((tf) => [tf, z.number().int().positive().optional()])) as Record<(typeof TIMEFRAMES)[number], z.ZodOptional<z.ZodNumber>>);

export const ValidateConfigSchema = z.object({
  /** Consecutive closes further apart than this (percent) are an extreme jump. */
  jumpThresholdPct: z.number().positive().default(30),
  /** More objects than this in one partition: compaction is due. */
  maxObjectsPerPartition: z.number().int().positive().default(24),
  /** The update's own run time: staleness is measured against the schedule minus this. */
  updateGraceMs: z.number().int().min(0).default(20 * 60_000),
  /** CRITICAL staleness per timeframe in ms, overriding the defaults (lib/validate/rules/staleness.ts). */
  criticalLagMs: durationsByTimeframe.default({}),
  /** Re-fetch ingestion gaps through the update job's code. */
  repair: z.boolean().default(true),
});

export const DailyBacktestConfigSchema = z.object({
  /** Strategies of the daily run, each with fixed params and/or a grid, as on the command line. */
  strategies: z
    .array(z.object({ name: z.string().min(1), params: z.string().default(''), grid: z.string().default('') }))
    .min(1)
    .default([
      { name: 'sma-cross', params: '', grid: 'fast=5..50:5,slow=20..200:20' },
      { name: 'rsi-reversion', params: '', grid: '' },
    ]),
  timeframes: z.array(z.enum(TIMEFRAMES)).min(1).default(['1h', '4h', '1d']),
  /** The window every run looks at: the last N days up to the run. */
  windowDays: z.number().int().min(7).max(3650).default(365),
  cash: z.number().positive().default(10_000),
  feeRate: z.number().min(0).max(0.1).default(0.001),
  slippageBps: z.number().min(0).default(2),
  rankBy: z.string().default('sharpe'),
  /** Worker threads; default: cores − 1 (the live trader shares the machine). */
  workers: z.number().int().min(0).optional(),
  heartbeatMs: z.number().int().min(100).default(30_000),
});

/** A store URL `openObjectStore` accepts (the lake, the backup store). */
const StoreUrlSchema = z
  .string()
  .min(1)
  .refine((url) => {
    try {
      parseStoreUrl(url);
      return true;
    } catch {
      return false;
    }
  }, 'unsupported store URL: use file:///path, file://./relative, a plain path, or s3://bucket/prefix');

/** The sentiment job (lib/sentiment): where each source lives and how far back a first run reaches. */
export const SentimentConfigSchema = z.object({
  /** alternative.me's API (Fear & Greed Index); a proxy or the stand-in in tests. */
  fearGreedUrl: z.url({ protocol: /^https?$/ }).default('https://api.alternative.me'),
  /** FRED's API; used only when FRED_API_KEY is set. */
  fredUrl: z.url({ protocol: /^https?$/ }).default('https://api.stlouisfed.org'),
  /** FRED series: broad US dollar index, S&P 500, VIX, 10-year Treasury yield. */
  fredSeries: z.array(z.string().regex(/^[A-Z0-9_]+$/, 'a FRED series id, e.g. DGS10')).default(['DTWEXBGS', 'SP500', 'VIXCLS', 'DGS10']),
  /** First run of a funding series reaches this far back (open interest and long/short: the exchange keeps ~30 days). */
  fundingLookbackDays: z.number().int().min(1).max(3650).default(365),
  /** First run of a macro series reaches this far back. */
  macroLookbackDays: z.number().int().min(1).max(36500).default(5 * 365),
  /** Period of the open interest and long/short ratio series. */
  statsPeriod: z.enum(STATS_PERIODS).default('1h'),
  /** Per-request timeout of the plain HTTP sources. */
  timeoutMs: z.number().int().min(100).default(10_000),
  /** Symbols fetched at once from the exchange. */
  concurrency: z.number().int().min(1).max(16).default(4),
});

/** The weekly backup (lib/backup): where snapshots go and how many are kept. */
export const BackupConfigSchema = z.object({
  /**
   * The backup store, `file://…` or `s3://bucket/prefix`: a different failure domain from the lake
   * (another bucket, another disk). Unset: backups are refused, never written beside the lake.
   */
  url: StoreUrlSchema.optional(),
  /** Complete weekly snapshots kept; older ones are deleted after each backup. */
  keep: z.number().int().min(1).max(520).default(3),
});

export const ConfigSchema = z.object({
  /** Where the lake lives: `file://…`, a plain path, or `s3://bucket/prefix`. */
  lake: StoreUrlSchema.default('file://./lake'),
  /** Local folder where S3 objects are cached for DuckDB. */
  cacheDir: z.string().min(1).default('.cache/lake'),
  exchange: ExchangeConfigSchema.default(ExchangeConfigSchema.parse({})),
  universe: UniverseConfigSchema.default(UniverseConfigSchema.parse({})),
  update: UpdateConfigSchema.default(UpdateConfigSchema.parse({})),
  features: FeaturesConfigSchema.default(FeaturesConfigSchema.parse({})),
  validate: ValidateConfigSchema.default(ValidateConfigSchema.parse({})),
  backtest: DailyBacktestConfigSchema.default(DailyBacktestConfigSchema.parse({})),
  backup: BackupConfigSchema.default(BackupConfigSchema.parse({})),
  sentiment: SentimentConfigSchema.default(SentimentConfigSchema.parse({})),
});

/** The validated configuration every job receives. */
export type CandlelakeConfig = z.infer<typeof ConfigSchema>;
/** What a config file, the environment or CLI flags may set: any subset. */
export type ConfigInput = z.input<typeof ConfigSchema>;
