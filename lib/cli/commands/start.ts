/**
 * `candlelake start`: the local daemon — every job on its UTC schedule until SIGTERM/SIGINT;
 * exit 0 after a clean stop, 2 when another daemon holds the lake (or a flag is bad).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { DAEMON_DEFAULTS, runDaemon } from '../../daemon/index.ts';
import { parseDuration, parseJobDurations, parseJobName } from '../../daemon/duration.ts';
import { ConfigError } from '../../config/errors.ts';
import { action, cliContext, splitFlagList, type GlobalOptions } from '../context.ts';

interface StartFlags {
  stateDir?: string;
  jobs?: string;
  timeout?: string;
  catchUp: boolean;
  catchUpWindow?: string;
  backtestNice: string;
  backtestWorkers?: string;
  logFile?: string;
  logMaxBytes: string;
  logKeep: string;
  dashboard: boolean;
  dashboardPort: string;
}

function intFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`Invalid option ${flag}: "${value}" (an integer ${min}..${max})`, [flag.replace(/^--/, '')]);
  return n;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the local 24/7 daemon: every job of lib/schedule/jobs.json on its UTC cron, missed slots once at start; SIGTERM stops after the running job')
    .option('--state-dir <dir>', `pid file and logs (env CANDLELAKE_STATE_DIR; default ${DAEMON_DEFAULTS.stateDir} in the working directory)`)
    .option('--jobs <list>', 'only these jobs (comma list; default all)')
    .option('--timeout <job=duration,…>', 'per-job timeout of the in-process jobs, e.g. update=90m,digest=10m (0: none; defaults update 2h, validate 1h, sentiment 1h, backup 4h, digest 15m)')
    .option('--no-catch-up', 'do not run jobs whose slot passed while the daemon was down')
    .option('--catch-up-window <duration>', 'a missed slot older than this is not caught up (default: the job’s period, 24h daily, 7d weekly)')
    .option('--backtest-nice <n>', 'scheduling priority of the backtest child (0..19)', String(DAEMON_DEFAULTS.backtestNice))
    .option('--backtest-workers <n>', 'worker threads of the backtest child (default backtest.workers, else cores − 1)')
    .option('--dashboard-port <port>', 'serve the status dashboard on 127.0.0.1:<port> while running (none: --no-dashboard)', '8787')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--log-file <path>', 'the rotating JSON log (default <state-dir>/logs/daemon.log)')
    .option('--log-max-bytes <n>', 'rotate the log file at this size', String(DAEMON_DEFAULTS.logMaxBytes))
    .option('--log-keep <n>', 'rotated log files kept', String(DAEMON_DEFAULTS.logKeep))
    .action(
      action(async (flags: StartFlags, command: Command) => {
        const ctx = cliContext(command);
        const global = command.optsWithGlobals<GlobalOptions>();
        const workers = flags.backtestWorkers !== undefined
          ? intFlag('--backtest-workers', flags.backtestWorkers, 1, 1024)
          : ctx.config.backtest.workers ?? Math.max(1, availableParallelism() - 1);
        return runDaemon({
          config: ctx.config,
          stateDir: flags.stateDir ?? process.env.CANDLELAKE_STATE_DIR ?? DAEMON_DEFAULTS.stateDir,
          ...(flags.jobs ? { jobs: splitFlagList(flags.jobs).map((j) => parseJobName('--jobs', j)) } : {}),
          ...(flags.timeout ? { timeoutsMs: parseJobDurations('--timeout', flags.timeout) } : {}),
          catchUp: flags.catchUp,
          ...(flags.catchUpWindow ? { catchUpWindowMs: parseDuration('--catch-up-window', flags.catchUpWindow) } : {}),
          backtest: { nice: intFlag('--backtest-nice', flags.backtestNice, 0, 19), workers },
          ...(flags.logFile ? { logFile: flags.logFile } : {}),
          ...(flags.dashboard ? { dashboardPort: intFlag('--dashboard-port', flags.dashboardPort, 0, 65_535) } : {}),
          logRotation: { maxBytes: intFlag('--log-max-bytes', flags.logMaxBytes, 1024, Number.MAX_SAFE_INTEGER), keep: intFlag('--log-keep', flags.logKeep, 0, 100) },
          ...(global.logLevel ? { logLevel: global.logLevel } : process.env.CANDLELAKE_LOG_LEVEL ? { logLevel: process.env.CANDLELAKE_LOG_LEVEL as NonNullable<GlobalOptions['logLevel']> } : {}),
        });
      }),
    );
}
