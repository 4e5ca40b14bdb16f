/**
 * Entry point of the daily backtest container (ECS Fargate): `node dist/task.mjs [--shard i/N]`.
 * Exit codes: 0 done, 2 bad configuration, 3 data unavailable, 4 internal error, 5 interrupted
 * (SIGTERM; resumes on restart), 6 another attempt holds the lease. See lib/backtest-task.
 */
import { parseArgs } from 'node:util';
import { runTaskProcess } from '../../lib/backtest-task/process.ts';

const { values } = parseArgs({ options: { shard: { type: 'string' }, config: { type: 'string' } }, strict: false });
process.exitCode = await runTaskProcess({
  ...(typeof values.shard === 'string' ? { shard: values.shard } : {}),
  ...(typeof values.config === 'string' ? { config: values.config } : {}),
});
