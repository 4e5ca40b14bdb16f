/**
 * Benchmark runner: `npm run bench -- <name> [options]` prints one JSON document on stdout and
 * keeps a copy in bench/results/<name>.json. Benchmarks live outside the test run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchBacktest, parseBacktestBenchArgs } from './backtest.ts';
import { benchBackup, parseBackupBenchArgs } from './backup.ts';
import { benchIngest, parseIngestArgs } from './ingest.ts';
import { benchValidate, parseValidateBenchArgs } from './validate.ts';

const BENCHES: Record<string, (args: string[]) => Promise<unknown>> = {
  ingest: (args) => benchIngest(parseIngestArgs(args)),
  backtest: (args) => benchBacktest(parseBacktestBenchArgs(args)),
  validate: (args) => benchValidate(parseValidateBenchArgs(args)),
  backup: (args) => benchBackup(parseBackupBenchArgs(args)),
};

const [name = 'ingest', ...args] = process.argv.slice(2);
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`unknown benchmark "${name}"; available: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
const result = { ...(await bench(args) as object), machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, at: new Date().toISOString() };
const text = JSON.stringify(result, null, 2);
process.stdout.write(`${text}\n`);
const dir = join(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(join(dir, `${name}.json`), text);
