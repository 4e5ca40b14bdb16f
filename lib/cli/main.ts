/**
 * The `candlelake` command line: one subcommand per job, each a thin door onto the same lib
 * function the Lambda handler and the daemon call.
 */
import { Command, Option } from 'commander';
import { registerBacktest } from './commands/backtest.ts';
import { registerBacktestTask } from './commands/backtest-task.ts';
import { registerBackup } from './commands/backup.ts';
import { registerCost } from './commands/cost.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDigest } from './commands/digest.ts';
import { registerDrill } from './commands/drill.ts';
import { registerLake } from './commands/lake.ts';
import { registerQuery } from './commands/query.ts';
import { registerSentiment } from './commands/sentiment.ts';
import { registerService } from './commands/service.ts';
import { registerStart } from './commands/start.ts';
import { registerStatus } from './commands/status.ts';
import { registerUpdate } from './commands/update.ts';
import { registerValidate } from './commands/validate.ts';

/** The program with every subcommand registered (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('candlelake')
    .description('A market-data lake and daily backtests beside a live crypto trader')
    .option('--lake <url>', 'the lake: file://path, a folder, or s3://bucket/prefix (env CANDLELAKE_LAKE; default file://./lake)')
    .option('--config <file>', 'JSON config file (env CANDLELAKE_CONFIG; default ./candlelake.config.json if present)')
    .option('--binance-url <url>', 'replace the scheme and host of every Binance endpoint (env CANDLELAKE_BINANCE_URL)')
    .option('--json', 'print machine-readable JSON on stdout')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']))
    .showHelpAfterError();
  registerUpdate(program);
  registerValidate(program);
  registerQuery(program);
  registerLake(program);
  registerBacktest(program);
  registerBacktestTask(program);
  registerDrill(program);
  registerStatus(program);
  registerDigest(program);
  registerBackup(program);
  registerSentiment(program);
  registerStart(program);
  registerService(program);
  registerDashboard(program);
  registerDemo(program);
  registerCost(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
