/**
 * `candlelake drill <crash|hang|persistent-failure>`: runs that failure for real against the local
 * runtime — a real child process that crashes, goes silent, or always fails — under the real
 * supervisor and recovery policy, and prints what was detected, when, and what recovery did.
 * `candlelake drill corrupt`: damages a copy of one lake object and shows the integrity check
 * finding it and a restore from the snapshot repairing it (lib/backup/corruption-drill.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openObjectStore } from '../../object-store/index.ts';
import { DEFAULT_RECOVERY_POLICY } from '../../recovery/policy.ts';
import { superviseBacktest, type SupervisorEvent } from '../../recovery/local-supervisor.ts';
import { action, cliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { openAlerts } from '../../alerts/index.ts';
import { RECOVERY_ALERT_JOB, recoveryAlertNotify } from '../../notify/recovery-alerts.ts';
import { systemClock } from '../../clock/index.ts';
import { runCorruptionDrill } from '../../backup/corruption-drill.ts';
import { FileObjectStore } from '../../object-store/file.ts';

type DrillKind = 'crash' | 'hang' | 'persistent-failure';

interface DrillFlags {
  heartbeatMs: string;
  hangAfterMs: string;
  startupGraceMs: string;
  backoffMs: string;
  pollMs: string;
  killGraceMs: string;
}

const CLI = resolve(import.meta.dirname, '../../../bin/candlelake.js');

function timeline(events: readonly SupervisorEvent[]): string {
  return events.map((e) => `+${(e.atMs / 1000).toFixed(1).padStart(6)} s  ${e.kind.padEnd(17)} ${e.detail}`).join('\n');
}

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description('run a failure for real (crash, hang, persistent-failure, corrupt) and show detection and recovery')
    .argument('<kind>', 'crash | hang | persistent-failure | corrupt')
    .option('--heartbeat-ms <ms>', 'task heartbeat interval', '30000')
    .option('--hang-after-ms <ms>', 'silence that counts as hung', String(DEFAULT_RECOVERY_POLICY.hangAfterMs))
    .option('--startup-grace-ms <ms>', "extra silence allowed before a child's first heartbeat", String(DEFAULT_RECOVERY_POLICY.startupGraceMs))
    .option('--backoff-ms <ms>', 'first restart backoff (doubles each time)', String(DEFAULT_RECOVERY_POLICY.baseBackoffMs))
    .option('--poll-ms <ms>', 'how often the supervisor reads the heartbeat', '5000')
    .option('--kill-grace-ms <ms>', 'SIGTERM to SIGKILL', '30000')
    .action(
      action(async (kind: string, flags: DrillFlags, command: Command) => {
        if (kind === 'corrupt') return corruptionDrill(command);
        if (!['crash', 'hang', 'persistent-failure'].includes(kind)) throw new Error(`unknown drill "${kind}": use crash, hang, persistent-failure or corrupt`);
        const drill = kind as DrillKind;
        const global = command.optsWithGlobals<{ lake?: string }>();
        // A scratch lake unless one is named: drills must not touch the real run's history or results.
        const lake = global.lake ?? `file://${await mkdtemp(join(tmpdir(), 'candlelake-drill-'))}`;
        const ctx = cliContext(command, { lake });
        const store = openObjectStore(ctx.config.lake);
        const historyKey = `recovery/drills/${drill}/history.json`;
        await store.delete(historyKey);
        const ms = (v: string) => Number(v);
        const result = await superviseBacktest({
          store,
          logger: ctx.logger,
          command: [process.execPath, CLI, 'backtest-task'],
          env: (attempt) => ({
            ...process.env,
            CANDLELAKE_LAKE: ctx.config.lake,
            CANDLELAKE_BACKTEST_HEARTBEAT_MS: flags.heartbeatMs,
            CANDLELAKE_LOG_LEVEL: 'warn',
            ...(drill === 'persistent-failure' ? { CANDLELAKE_DRILL: 'fail' } : attempt === 1 ? { CANDLELAKE_DRILL: drill } : { CANDLELAKE_DRILL: '' }),
          }),
          policy: { ...DEFAULT_RECOVERY_POLICY, hangAfterMs: ms(flags.hangAfterMs), startupGraceMs: ms(flags.startupGraceMs), baseBackoffMs: ms(flags.backoffMs) },
          pollMs: ms(flags.pollMs),
          killGraceMs: ms(flags.killGraceMs),
          historyKey,
          // Into the drill's lake as alerts (stored, not sent: a drill pages nobody), as the daemon does for real.
          notify: recoveryAlertNotify({ store, clock: systemClock, logger: ctx.logger }, `drill-${drill}`),
        });
        const at = (k: SupervisorEvent['kind']) => result.events.find((e) => e.kind === k)?.atMs;
        const detectedAtMs = drill === 'hang' ? at('hung') : at('exited');
        const summary = {
          drill, lake: ctx.config.lake, outcome: result.outcome, attempts: result.attempts,
          detectedAfterSeconds: detectedAtMs === undefined ? null : detectedAtMs / 1000,
          recoveredAfterSeconds: result.outcome === 'finished' ? (at('finished') ?? 0) / 1000 : null,
          events: result.events,
          alerts: (await openAlerts(store)).filter((a) => a.source.job === RECOVERY_ALERT_JOB).map((a) => ({ key: a.key, severity: a.severity, text: a.text })),
        };
        ctx.print(summary, [
          `drill ${drill} on ${ctx.config.lake}`,
          timeline(result.events),
          result.outcome === 'finished'
            ? `detected after ${summary.detectedAfterSeconds?.toFixed(1)} s; recovered (run finished) after ${summary.recoveredAfterSeconds?.toFixed(1)} s, ${result.attempts} attempts`
            : `gave up after ${result.attempts} attempts: a CRITICAL alert asks for a person`,
        ].join('\n'));
        const expected = drill === 'persistent-failure' ? 'gave-up' : 'finished';
        return result.outcome === expected ? EXIT.ok : EXIT.failed;
      }),
    );
}

/** `drill corrupt`: on scratch copies of the lake and its snapshot; the named lake is only read. */
async function corruptionDrill(command: Command): Promise<number> {
  const ctx = cliContext(command);
  const scratch = await mkdtemp(join(tmpdir(), 'candlelake-drill-corrupt-'));
  const report = await runCorruptionDrill({
    source: openObjectStore(ctx.config.lake),
    scratchLake: new FileObjectStore(join(scratch, 'lake')),
    scratchBackup: new FileObjectStore(join(scratch, 'backup')),
    clock: systemClock,
    logger: ctx.logger,
    cacheDir: join(scratch, 'cache'),
  });
  ctx.print({ drill: 'corrupt', lake: ctx.config.lake, scratch, ...report }, [
    `drill corrupt on a copy of ${ctx.config.lake} (${report.objectsCopied} objects, ${(report.bytesCopied / 1e6).toFixed(1)} MB) in ${scratch}`,
    `flipped byte ${report.offset} of ${report.key}`,
    report.detected
      ? `detected by the integrity check in ${report.detectionSeconds.toFixed(2)} s: ${report.found.map((f) => `${f.kind} ${f.path}`).join('; ')}`
      : `NOT detected: the integrity check reported ${report.found.length ? report.found.map((f) => f.path).join('; ') : 'nothing'}`,
    report.recovered ? `restored from the snapshot and re-checked clean in ${report.recoverySeconds.toFixed(2)} s` : 'NOT recovered: the integrity check still fails after the restore',
  ].join('\n'));
  return report.detected && report.recovered ? EXIT.ok : EXIT.failed;
}
