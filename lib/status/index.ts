/**
 * The health probe (`candlelake status`): every job's last run and whether it is overdue, the
 * backtest heartbeat, data freshness from the latest validate report, open alerts, and one
 * overall status. It reads only the lake, so the same JSON comes from the CLI and from a Lambda.
 */
import { readHeartbeat } from '../backtest-task/heartbeat.ts';
import { readDaemonStatus } from '../daemon/status-store.ts';
import type { Clock } from '../clock/index.ts';
import { firstRunMs, readLatestRun } from '../lake/run-records.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { isHung } from '../recovery/policy.ts';
import type { JobName } from '../schedule/index.ts';
import { schedule } from '../schedule/index.ts';
import { readLatestValidateReport } from '../validate/report-store.ts';
import type { FiringAlarm, FiringAlarmsReader } from './cloudwatch-alarms.ts';
import { daemonHealth, jobStatus, worst, type Health, type JobStatus } from './rules.ts';

export { healthExitCode } from './rules.ts';
export type { Health, JobStatus } from './rules.ts';
export type { FiringAlarm, FiringAlarmsReader } from './cloudwatch-alarms.ts';

export interface StatusReport {
  checkedAt: string;
  lake: string;
  status: Health;
  jobs: JobStatus[];
  backtestHeartbeat: { state: string; ageSeconds: number; progressPct: number; taskId: string; status: Health } | null;
  dataFreshness: { validateStatus: string; checkedAt: string; staleSeries: number; criticalFindings: number; status: Health } | null;
  openAlerts: number;
  /** The local daemon (`daemon/status.json`); `null` where none ever ran on this lake. */
  daemon: DaemonSection | null;
  /** CloudWatch alarms in ALARM (AWS only; `null` where the probe does not read CloudWatch). */
  alarms: FiringAlarm[] | null;
  problems: string[];
}

/** The local daemon as the probe reports it. */
export interface DaemonSection {
  pid: number;
  host: string;
  state: string;
  startedAt: string;
  writtenAt: string;
  ageSeconds: number;
  /** Jobs it has started that have not ended. */
  running: string[];
  /** Next run per job (ISO), as the daemon last computed it. */
  nextRuns: Record<string, string | null>;
  backtestChildPid: number | null;
  cpuPct: number;
  rssBytes: number;
  status: Health;
  text: string;
}

/** Where else the probe looks besides the lake. */
export interface StatusSources {
  /** On AWS: the stack's alarms in ALARM (lib/status/cloudwatch-alarms.ts). */
  firingAlarms?: FiringAlarmsReader;
}

/**
 * @example const report = await collectStatus(store, systemClock); process.exitCode = healthExitCode(report.status);
 */
export async function collectStatus(store: ObjectStore, clock: Clock, sources: StatusSources = {}): Promise<StatusReport> {
  const nowMs = clock.nowMs();
  const jobs: JobStatus[] = [];
  const installedMs = await firstRunMs(store, 'update');
  for (const job of Object.keys(schedule) as JobName[]) {
    const record = await readLatestRun(store, job);
    jobs.push(
      jobStatus(
        {
          job,
          ...(installedMs !== undefined ? { installedMs } : {}),
          ...(record ? { lastStartedMs: Date.parse(record.startedAt), outcome: record.outcome } : {}),
          ...(record?.endedAt ? { lastEndedMs: Date.parse(record.endedAt) } : {}),
        },
        nowMs,
      ),
    );
  }
  const beat = await readHeartbeat(store);
  const backtestHeartbeat = beat
    ? {
        state: beat.state,
        ageSeconds: Math.round((nowMs - beat.atMs) / 1000),
        progressPct: beat.unitsTotal > 0 ? Math.round((beat.unitsDone / beat.unitsTotal) * 1000) / 10 : 0,
        taskId: beat.taskId,
        // Only a running task can be hung; a finished one is meant to be silent.
        status: (beat.state === 'running' && isHung(beat.atMs, nowMs) ? 'CRITICAL' : beat.state === 'failed' ? 'WARNING' : 'OK') as Health,
      }
    : null;
  const validation = await readLatestValidateReport(store);
  const dataFreshness = validation
    ? {
        validateStatus: validation.status,
        checkedAt: validation.checkedAt,
        staleSeries: validation.counts.staleSeries,
        criticalFindings: validation.counts.bySeverity.CRITICAL,
        status: (validation.status === 'CRITICAL' ? 'CRITICAL' : validation.status === 'WARNING' ? 'WARNING' : 'OK') as Health,
      }
    : null;
  const daemonStatus = await readDaemonStatus(store);
  const daemon: DaemonSection | null = daemonStatus
    ? (() => {
        const running = daemonStatus.running.map((r) => r.job);
        const health = daemonHealth({ pid: daemonStatus.pid, host: daemonStatus.host, state: daemonStatus.state, writtenAtMs: Date.parse(daemonStatus.writtenAt), running }, nowMs);
        return {
          pid: daemonStatus.pid,
          host: daemonStatus.host,
          state: daemonStatus.state,
          startedAt: daemonStatus.startedAt,
          writtenAt: daemonStatus.writtenAt,
          ageSeconds: health.ageSeconds,
          running,
          nextRuns: Object.fromEntries(daemonStatus.jobs.map((j) => [j.job, j.nextRunAt])),
          backtestChildPid: daemonStatus.backtestChildPid,
          cpuPct: daemonStatus.cpuPct,
          rssBytes: daemonStatus.rssBytes,
          status: health.status,
          text: health.text,
        };
      })()
    : null;
  const openAlerts = (await store.list('alerts/open/')).length;
  const alarms = sources.firingAlarms ? await sources.firingAlarms() : null;
  const problems = [
    ...jobs.filter((j) => j.status !== 'OK').map((j) => `${j.status} ${j.text}`),
    ...(backtestHeartbeat && backtestHeartbeat.status !== 'OK' ? [`${backtestHeartbeat.status} backtest heartbeat ${backtestHeartbeat.state}, ${backtestHeartbeat.ageSeconds} s old`] : []),
    ...(dataFreshness && dataFreshness.status !== 'OK' ? [`${dataFreshness.status} data: ${dataFreshness.staleSeries} stale series, ${dataFreshness.criticalFindings} critical findings`] : []),
    ...(daemon && daemon.status !== 'OK' ? [`${daemon.status} ${daemon.text}`] : []),
    ...(alarms ?? []).map((a) => `CRITICAL alarm ${a.name}: ${a.reason}`),
  ];
  return {
    checkedAt: new Date(nowMs).toISOString(),
    lake: store.url,
    // Every stack alarm pages someone, so one in ALARM makes the whole probe CRITICAL.
    status: worst([...jobs.map((j) => j.status), backtestHeartbeat?.status ?? 'OK', dataFreshness?.status ?? 'OK', daemon?.status ?? 'OK', alarms?.length ? 'CRITICAL' : 'OK']),
    jobs,
    backtestHeartbeat,
    dataFreshness,
    daemon,
    openAlerts,
    alarms,
    problems,
  };
}

/** A few lines for a terminal. */
export function formatStatus(report: StatusReport): string {
  const lines = [`${report.status} — ${report.lake} at ${report.checkedAt}`];
  for (const j of report.jobs) lines.push(`  ${j.job.padEnd(10)} ${j.status.padEnd(8)} ${j.text}`);
  if (report.backtestHeartbeat) lines.push(`  heartbeat  ${report.backtestHeartbeat.status.padEnd(8)} ${report.backtestHeartbeat.state}, ${report.backtestHeartbeat.ageSeconds} s old, ${report.backtestHeartbeat.progressPct}%`);
  if (report.dataFreshness) lines.push(`  data       ${report.dataFreshness.status.padEnd(8)} validate ${report.dataFreshness.validateStatus}, ${report.dataFreshness.staleSeries} stale series`);
  if (report.daemon) {
    const d = report.daemon;
    const next = Object.entries(d.nextRuns).filter(([, at]) => at).sort(([, a], [, b]) => (a! < b! ? -1 : 1))[0];
    const details = d.status === 'OK'
      ? `, cpu ${d.cpuPct}%, rss ${Math.round(d.rssBytes / 1_048_576)} MB${d.backtestChildPid ? `, backtest child pid ${d.backtestChildPid}` : ''}${next ? `, next ${next[0]} at ${next[1]}` : ''}`
      : '';
    lines.push(`  daemon     ${d.status.padEnd(8)} ${d.text}${details}`);
  }
  lines.push(`  alerts     ${report.openAlerts} open`);
  if (report.alarms) lines.push(`  alarms     ${report.alarms.length ? report.alarms.map((a) => a.name).join(', ') : 'none in ALARM'}`);
  return lines.join('\n');
}
