/**
 * The edges of the cost estimate: serverless.yml's defaults, the schedule table, the lake's size
 * and its run records. Everything here reads; lib/cost/estimate.ts computes.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors.ts';
import { runRecordKey } from '../lake/keys.ts';
import type { RunRecord } from '../lake/run-records.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { DEFAULT_PARAMS, JOBS, LAMBDA_JOBS, type DeploymentParams, type JobName } from './defaults.ts';

/**
 * The scalar `key: value` lines of a block at a given indentation, e.g. `params:` → `default:`.
 * serverless.yml uses CloudFormation tags (`!Ref`, `!Sub`) and osls variables a plain YAML parser
 * rejects or leaves unresolved; the params block is flat scalars, so lines are enough here.
 */
export function yamlBlock(text: string, path: string[]): Record<string, string> {
  const lines = text.split('\n');
  let indent = 0;
  let i = 0;
  for (const name of path) {
    const at = lines.findIndex((line, n) => n >= i && line === `${' '.repeat(indent)}${name}:`);
    if (at < 0) return {};
    i = at + 1;
    indent += 2;
  }
  const out: Record<string, string> = {};
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const lead = line.length - line.trimStart().length;
    if (lead < indent) break;
    if (lead > indent) continue;
    const m = /^\s*([A-Za-z0-9_]+):\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
  }
  return out;
}

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : fallback;
};

/** The number inside a function's `memorySize:` line under `functions:` → `<name>:` (first after the name). */
function functionMemory(text: string, name: string, fallback: number): number {
  const m = new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    memorySize: (\\d+)`).exec(text);
  return m ? Number(m[1]) : fallback;
}

/**
 * serverless.yml's parameters for a stage (`params.default` overlaid by `params.<stage>`), the
 * count of CloudWatch alarms and the metrics they evaluate, and the KMS keys.
 */
export function deploymentParamsFromServerless(text: string, stage = 'dev'): DeploymentParams {
  const p = { ...yamlBlock(text, ['params', 'default']), ...yamlBlock(text, ['params', stage]) };
  const memoryMb = { ...DEFAULT_PARAMS.memoryMb };
  for (const job of LAMBDA_JOBS) memoryMb[job] = num(p[`${job}Memory`], memoryMb[job]);
  const alarmBlocks = text.split(/\n {4}[A-Za-z0-9]+:\n {6}Type: /).slice(1).filter((b) => b.startsWith('AWS::CloudWatch::Alarm'));
  const alarms = alarmBlocks.length;
  const alarmMetrics = alarmBlocks.reduce((sum, b) => sum + Math.max(1, (b.match(/MetricName:/g) ?? []).length), 0);
  const kmsKeys = (text.match(/Type: AWS::KMS::Key\b/g) ?? []).length;
  return {
    ...DEFAULT_PARAMS,
    memoryMb,
    statusMemoryMb: functionMemory(text, 'status', DEFAULT_PARAMS.statusMemoryMb),
    notifierMemoryMb: functionMemory(text, 'notifier', DEFAULT_PARAMS.notifierMemoryMb),
    backtestCpu: num(p.backtestCpu, DEFAULT_PARAMS.backtestCpu),
    backtestMemoryMb: num(p.backtestMemory, DEFAULT_PARAMS.backtestMemoryMb),
    backtestShards: num(p.backtestShards, DEFAULT_PARAMS.backtestShards),
    backupKeep: num(p.backupKeep, DEFAULT_PARAMS.backupKeep),
    logRetentionDays: num(p.logRetentionDays, DEFAULT_PARAMS.logRetentionDays),
    alarms: alarms || DEFAULT_PARAMS.alarms,
    alarmMetrics: alarms ? alarmMetrics : DEFAULT_PARAMS.alarmMetrics,
    kmsKeys: alarms ? kmsKeys : DEFAULT_PARAMS.kmsKeys,
  };
}

/** Reads serverless.yml; without it, the typed defaults (and a note saying so). */
export async function loadDeploymentParams(path: string, stage: string): Promise<{ params: DeploymentParams; source: string }> {
  try {
    return { params: deploymentParamsFromServerless(await readFile(path, 'utf8'), stage), source: `${path} (stage ${stage})` };
  } catch {
    return { params: DEFAULT_PARAMS, source: 'built-in defaults (serverless.yml not found)' };
  }
}

/** The five-field cron of every job from lib/schedule/jobs.json. */
export async function loadSchedules(path: string): Promise<Record<JobName, string>> {
  const table = JSON.parse(await readFile(path, 'utf8')) as Record<string, { cron: string }>;
  const out = {} as Record<JobName, string>;
  for (const job of JOBS) {
    const entry = table[job];
    if (!entry) throw new Error(`${path} has no "${job}" job`);
    out[job] = entry.cron;
  }
  return out;
}

/** Total bytes and objects of the lake (leases excepted), one listing. */
export async function lakeSize(store: ObjectStore): Promise<{ bytes: number; objects: number }> {
  const objects = (await store.list('')).filter((o) => !o.key.startsWith('leases/'));
  return { bytes: objects.reduce((sum, o) => sum + o.sizeBytes, 0), objects: objects.length };
}

/**
 * Mean duration (s) of each job's finished runs over the last `days` UTC days of run records.
 * A job with no finished run in the window is left out (its model applies).
 */
export async function recentDurations(store: ObjectStore, nowMs: number, days = 7): Promise<Partial<Record<JobName, { seconds: number; runs: number }>>> {
  const out: Partial<Record<JobName, { seconds: number; runs: number }>> = {};
  for (const job of JOBS) {
    const seconds: number[] = [];
    for (let d = 0; d < days; d++) {
      const dayMs = nowMs - d * 86_400_000;
      const prefix = runRecordKey(job, dayMs, 'x').replace(/x\.json$/, '');
      for (const o of await store.list(prefix)) {
        const got = await store.get(o.key);
        if (!got) continue;
        const record = JSON.parse(Buffer.from(got.body).toString('utf8')) as RunRecord;
        if (!record.endedAt || record.outcome === 'running' || record.outcome === 'skipped') continue;
        const s = (Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000;
        if (Number.isFinite(s) && s >= 0 && nowMs - Date.parse(record.startedAt) <= days * 86_400_000) seconds.push(s);
      }
    }
    if (seconds.length) out[job] = { seconds: seconds.reduce((a, b) => a + b, 0) / seconds.length, runs: seconds.length };
  }
  return out;
}

/**
 * `--durations update=60s,backtest=15m,validate=2.5` (a bare number is seconds).
 * @example parseDurations('update=60s,backtest=15m') // { update: 60, backtest: 900 }
 */
export function parseDurations(text: string): Partial<Record<JobName, number>> {
  const out: Partial<Record<JobName, number>> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(part);
    if (!m || !(JOBS as readonly string[]).includes(m[1]!)) {
      throw new ConfigError(`--durations: "${part}" is not <job>=<duration> with a job among ${JOBS.join(', ')} (e.g. update=60s, backtest=15m)`);
    }
    const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[3] ?? 's') as 'ms' | 's' | 'm' | 'h'];
    out[m[1] as JobName] = Number(m[2]) * factor;
  }
  return out;
}
