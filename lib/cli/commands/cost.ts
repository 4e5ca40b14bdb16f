/**
 * `candlelake cost`: the monthly AWS bill of the deployed configuration, estimated from
 * serverless.yml's parameters, the schedule table and measured job durations (lib/cost).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { ConfigError } from '../../config/errors.ts';
import { TIMEFRAMES } from '../../config/universe.ts';
import { JOBS, type JobName } from '../../cost/defaults.ts';
import { estimateMonthlyCost, formatEstimate } from '../../cost/estimate.ts';
import { lakeSize, loadDeploymentParams, loadSchedules, parseDurations, recentDurations } from '../../cost/inputs.ts';
import { PRICES, type PriceRegion } from '../../cost/prices.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { action, cliContext, splitFlagList } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

interface CostFlags {
  symbols?: string;
  timeframes?: string;
  regionPrices: PriceRegion;
  durations?: string;
  fromLake?: boolean;
  freeTier?: boolean;
  natGateway?: boolean;
  years: string;
  stage: string;
  serverless: string;
}

const PROJECT = resolve(import.meta.dirname, '../../..');

/** A count, or a comma list whose length is the count (`--symbols 20` or `--symbols BTC/USDT,ETH/USDT`). */
function countFlag(flag: string, value: string, check?: (item: string) => boolean): number {
  if (/^\d+$/.test(value.trim())) {
    const n = Number(value);
    if (n < 1) throw new ConfigError(`Invalid option ${flag}: must be at least 1`);
    return n;
  }
  const items = splitFlagList(value);
  const bad = check ? items.filter((i) => !check(i)) : [];
  if (!items.length || bad.length) throw new ConfigError(`Invalid option ${flag}: "${value}" is neither a count nor a list${bad.length ? ` (${bad.join(', ')})` : ''}`);
  return new Set(items).size;
}

export function registerCost(program: Command): void {
  program
    .command('cost')
    .description("estimate the monthly AWS bill of the deployed configuration (serverless.yml's parameters, the schedule, measured durations)")
    .option('--symbols <n|list>', 'symbols in the universe, a count or a list (default: the configured universe)')
    .option('--timeframes <n|list>', 'timeframes, a count or a list among 15m, 1h, 4h, 1d (default: the configured ones)')
    .addOption(new Option('--region-prices <region>', 'price table').choices(Object.keys(PRICES)).default('us-east-1'))
    .option('--durations <list>', 'seconds per run, overriding the measured defaults: update=60s,backtest=15m,…')
    .option('--from-lake', "the lake's size and the mean duration of each job's runs over the last 7 days, from its run records")
    .option('--free-tier', 'deduct the always-free allowances (and S3’s 12-month ones)')
    .option('--nat-gateway', "count a NAT gateway for the backtest task's subnets (not part of the stack)")
    .option('--years <n>', 'years of history in the lake (without --from-lake)', '1')
    .option('--stage <stage>', 'serverless.yml params of this stage over the defaults', 'dev')
    .option('--serverless <file>', 'serverless.yml to read the parameters from', resolve(PROJECT, 'serverless.yml'))
    .action(
      action(async (flags: CostFlags, command: Command) => {
        const ctx = cliContext(command, {}, { quietLogs: true });
        const years = Number(flags.years);
        if (!Number.isFinite(years) || years <= 0) throw new ConfigError(`Invalid option --years: "${flags.years}" is not a positive number`);
        const { params, source } = await loadDeploymentParams(flags.serverless, flags.stage);
        const schedules = await loadSchedules(resolve(PROJECT, 'lib/schedule/jobs.json'));
        const symbols = flags.symbols ? countFlag('--symbols', flags.symbols) : ctx.config.universe.symbols.length;
        const timeframes = flags.timeframes
          ? countFlag('--timeframes', flags.timeframes, (t) => (TIMEFRAMES as readonly string[]).includes(t))
          : ctx.config.universe.timeframes.length;
        const durations: Partial<Record<JobName, number>> = {};
        const durationSources: Partial<Record<JobName, string>> = {};
        let lake: { bytes: number; objects: number } | undefined;
        if (flags.fromLake) {
          const store = openObjectStore(ctx.config.lake);
          lake = await lakeSize(store);
          const recent = await recentDurations(store, systemClock.nowMs());
          for (const job of JOBS) {
            const r = recent[job];
            if (!r) continue;
            durations[job] = r.seconds;
            durationSources[job] = `mean of ${r.runs} run(s) in the lake's last 7 days of run records`;
          }
        }
        if (flags.durations) {
          for (const [job, s] of Object.entries(parseDurations(flags.durations)) as [JobName, number][]) {
            durations[job] = s;
            durationSources[job] = 'given (--durations)';
          }
        }
        const estimate = estimateMonthlyCost({
          params,
          schedules,
          symbols,
          timeframes,
          backtestTimeframes: Math.min(ctx.config.backtest.timeframes.length, timeframes),
          backtestStrategies: ctx.config.backtest.strategies.length,
          durations,
          durationSources,
          years,
          ...(lake ? { lakeBytes: lake.bytes, lakeObjects: lake.objects } : {}),
          freeTier: Boolean(flags.freeTier),
          natGateway: Boolean(flags.natGateway),
          prices: PRICES[flags.regionPrices],
        });
        const result = { ...estimate, inputs: { parameters: source, symbols, timeframes, years, fromLake: Boolean(flags.fromLake), params } };
        ctx.print(result, `${formatEstimate(estimate)}\nparameters: ${source}; ${symbols} symbols × ${timeframes} timeframes`);
        return EXIT.ok;
      }),
    );
}
