/**
 * The health probe's rules: from what the lake says about each job, whether it is on time, and
 * one overall status. Pure: `collectStatus` gathers the facts, these judge them.
 */
import { Cron } from 'croner';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';

export type Health = 'OK' | 'WARNING' | 'CRITICAL';

export interface JobFacts {
  job: JobName;
  /** Start of the last run, if it ever ran. */
  lastStartedMs?: number;
  lastEndedMs?: number;
  outcome?: string;
  /** When the lake went live (its first update run): a slot before it was never due. */
  installedMs?: number;
}

export interface JobStatus {
  job: JobName;
  status: Health;
  lastRun: string | null;
  outcome: string | null;
  ageHours: number | null;
  overdue: boolean;
  text: string;
}

/** How long after its scheduled start a job may take before its run counts as missing. */
export const RUN_GRACE_MS: Readonly<Record<JobName, number>> = {
  update: 60 * 60_000,
  validate: 30 * 60_000,
  sentiment: 30 * 60_000,
  backup: 2 * 60 * 60_000,
  digest: 15 * 60_000,
  backtest: 4 * 60 * 60_000,
};

/** Jobs that exist today; the others are reported but cannot make the status worse. */
export const BUILT_JOBS: ReadonlySet<JobName> = new Set(['update', 'validate', 'sentiment', 'backtest', 'backup']);

/**
 * The latest scheduled start whose grace has passed: by then a run must have started.
 * @example dueSince('update', Date.parse('2024-06-10T02:00:00Z')) // 2024-06-10T00:30:00Z
 */
export function dueSince(job: JobName, nowMs: number): number {
  const [start] = new Cron(schedule[job].cron, { timezone: 'UTC', paused: true }).previousRuns(1, new Date(nowMs - RUN_GRACE_MS[job] + 1));
  return start ? start.getTime() : 0;
}

/**
 * One job's status: overdue when no run started since its due time; a failed last run is
 * CRITICAL, a partial one WARNING.
 */
export function jobStatus(facts: JobFacts, nowMs: number): JobStatus {
  const built = BUILT_JOBS.has(facts.job);
  const due = dueSince(facts.job, nowMs);
  const base = {
    job: facts.job,
    lastRun: facts.lastStartedMs !== undefined ? new Date(facts.lastStartedMs).toISOString() : null,
    outcome: facts.outcome ?? null,
    ageHours: facts.lastStartedMs !== undefined ? Math.round(((nowMs - facts.lastStartedMs) / 3_600_000) * 10) / 10 : null,
  };
  if (facts.lastStartedMs === undefined) {
    // A weekly job on a lake younger than a week has simply not been due yet.
    if (built && facts.installedMs !== undefined && due < facts.installedMs) {
      return { ...base, status: 'OK', overdue: false, text: `${facts.job} not due yet (the lake went live ${new Date(facts.installedMs).toISOString()})` };
    }
    return { ...base, status: built ? 'WARNING' : 'OK', overdue: built, text: built ? `${facts.job} never ran` : `${facts.job} is not running yet` };
  }
  const overdue = facts.lastStartedMs < due - 60_000;
  if (overdue) return { ...base, status: 'CRITICAL', overdue, text: `${facts.job} overdue: last run ${base.lastRun}, due since ${new Date(due).toISOString()}` };
  if (facts.outcome === 'failed' || facts.outcome === 'abandoned') return { ...base, status: 'CRITICAL', overdue, text: `${facts.job} last run ${facts.outcome}` };
  if (facts.outcome === 'partial') return { ...base, status: 'WARNING', overdue, text: `${facts.job} last run partial` };
  return { ...base, status: 'OK', overdue, text: `${facts.job} ${facts.outcome ?? 'ran'} ${base.ageHours} h ago` };
}

const RANK: Record<Health, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

/** The worst of several statuses. */
export function worst(statuses: readonly Health[]): Health {
  return statuses.reduce<Health>((w, s) => (RANK[s] > RANK[w] ? s : w), 'OK');
}

/** 0 OK, 1 WARNING, 2 CRITICAL. */
export function healthExitCode(status: Health): 0 | 1 | 2 {
  return RANK[status] as 0 | 1 | 2;
}

// ── The local daemon ──────────────────────────────────────────────────────────────────────────

/** The daemon rewrites `daemon/status.json` every minute: older than this, it is not running. */
export const DAEMON_STALE_MS = 3 * 60_000;

/** What the daemon's status object says, as far as the probe judges it. */
export interface DaemonFacts {
  pid: number;
  host: string;
  state: string;
  writtenAtMs: number;
  running: readonly string[];
}

/**
 * The daemon's health: WARNING "daemon not running" when it stopped or its status is stale.
 * @example daemonHealth({ pid: 7, host: 'box', state: 'running', writtenAtMs: now - 240_000, running: [] }, now).status // 'WARNING'
 */
export function daemonHealth(facts: DaemonFacts, nowMs: number): { status: Health; ageSeconds: number; text: string } {
  const ageSeconds = Math.round((nowMs - facts.writtenAtMs) / 1000);
  if (facts.state === 'stopped') return { status: 'WARNING', ageSeconds, text: `daemon not running (pid ${facts.pid} on ${facts.host} stopped at ${new Date(facts.writtenAtMs).toISOString()})` };
  if (nowMs - facts.writtenAtMs > DAEMON_STALE_MS) return { status: 'WARNING', ageSeconds, text: `daemon not running (pid ${facts.pid} on ${facts.host}: last status ${ageSeconds} s old)` };
  const doing = facts.running.length ? `running ${facts.running.join(', ')}` : 'idle';
  return { status: 'OK', ageSeconds, text: `daemon pid ${facts.pid} on ${facts.host} ${facts.state === 'stopping' ? 'stopping' : 'up'}, ${doing}` };
}
