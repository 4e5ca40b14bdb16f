/**
 * The backup and recovery runbook as commands: `backup`, `snapshots`, `compact`, `integrity`,
 * `restore`, `rollback`, `reindex`, `resync` (and `drill corrupt`, lib/cli/commands/drill.ts). The lake is the
 * global `--lake`; the backup store `--backup <url>` or CANDLELAKE_BACKUP. Destructive commands ask
 * first on a terminal (`--yes` answers), take `--dry-run`, and leave a run record in the lake.
 */
import type { Command } from 'commander';
import { checkIntegrity, listSnapshots, restoreLake, rollbackLake } from '../../backup/index.ts';
import { runBackup } from '../../backup/job.ts';
import { lakeOperation } from '../../backup/operation.ts';
import { reindexLake } from '../../backup/reindex.ts';
import { systemClock } from '../../clock/index.ts';
import { compactLake } from '../../compact/index.ts';
import { ConfigError } from '../../config/errors.ts';
import { publishJobFindings } from '../../notify/job-alerts.ts';
import { alertSenderFromEnv } from '../../notify/telegram-alert-sender.ts';
import { openObjectStore } from '../../object-store/index.ts';
import type { ObjectStore } from '../../object-store/types.ts';
import { confirmDestructive } from '../confirm.ts';
import { action, cliContext, type CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { parseTimeFlag } from '../time-flag.ts';
import { exitCodeFor, formatUpdateResult, publishUpdateAlerts, runUpdateFromCli, universeFlagSources, universeOverrides } from './update.ts';

interface BackupStoreFlags {
  backup?: string;
}

/** The backup store from `--backup`, else the configuration (CANDLELAKE_BACKUP); refused when it is the lake. */
function backupStore(ctx: CliContext, flags: BackupStoreFlags): ObjectStore {
  const url = flags.backup ?? ctx.config.backup.url;
  if (!url) throw new ConfigError('no backup store: pass --backup <url> or set CANDLELAKE_BACKUP (file://… or s3://bucket/prefix)', ['backup.url']);
  const store = openObjectStore(url);
  if (store.url === openObjectStore(ctx.config.lake).url) throw new ConfigError(`the backup store must not be the lake (${store.url})`, ['backup.url']);
  return store;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('weekly backup: compact the lake, snapshot it into the backup store, apply retention, check integrity')
    .option('--backup <url>', 'backup store, file://… or s3://bucket/prefix (default: CANDLELAKE_BACKUP)')
    .option('--keep <n>', 'complete snapshots to keep (default: backup.keep, 3)')
    .option('--no-compact', 'snapshot without compacting first')
    .action(
      action(async (flags: BackupStoreFlags & { keep?: string; compact: boolean }, command: Command) => {
        const ctx = cliContext(command, flags.keep !== undefined ? { backup: { keep: Number(flags.keep) } } : {}, { overrideSources: flags.keep !== undefined ? { 'backup.keep': '--keep' } : {} });
        const lake = openObjectStore(ctx.config.lake);
        const result = await runBackup(
          { lake, backup: backupStore(ctx, flags), clock: systemClock, logger: ctx.logger, config: ctx.config },
          { trigger: 'cli', noCompact: !flags.compact },
        );
        await publishJobFindings({ store: lake, clock: systemClock, logger: ctx.logger, sender: alertSenderFromEnv(process.env, ctx.logger) }, 'backup', result.runId, result.findings);
        ctx.print(result, [`backup ${result.runId}: ${result.outcome} — ${result.summary}`, ...result.findings.map((f) => `  ${f.severity}: ${f.text}`)].join('\n'));
        return result.outcome === 'failed' ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('snapshots')
    .description('list the snapshots in the backup store, newest first')
    .option('--backup <url>', 'backup store (default: CANDLELAKE_BACKUP)')
    .action(
      action(async (flags: BackupStoreFlags, command: Command) => {
        const ctx = cliContext(command);
        const list = await listSnapshots(backupStore(ctx, flags));
        ctx.print(list, [
          ...list.complete.map((s) => `${s.id}  ${s.createdAt}  ${s.objects} objects  ${mb(s.bytes)}`),
          ...list.incomplete.map((s) => `${s.id}  incomplete (${s.reason})`),
          ...(list.complete.length + list.incomplete.length === 0 ? ['no snapshots'] : []),
        ].join('\n'));
        return EXIT.ok;
      }),
    );

  program
    .command('compact')
    .description('rewrite each series-year of the lake into one verified part (what the weekly backup does first)')
    .option('--dry-run', 'show what would be compacted, change nothing')
    .option('--yes', 'do not ask for confirmation')
    .action(
      action(async (flags: { dryRun?: boolean; yes?: boolean }, command: Command) => {
        const ctx = cliContext(command);
        const store = openObjectStore(ctx.config.lake);
        if (!(await confirmDestructive(flags, `compact the lake ${store.url} (parts are rewritten, the old ones deleted)`))) return EXIT.ok;
        const report = await lakeOperation(
          { store, clock: systemClock }, 'compact', { trigger: 'cli', ...(flags.dryRun ? { dryRun: true } : {}) },
          () => compactLake({ store, clock: systemClock, logger: ctx.logger, cacheDir: ctx.config.cacheDir }, { dryRun: Boolean(flags.dryRun) }),
          (r) => ({ summary: `compacted ${r.totals.compacted} of ${r.totals.examined} partitions`, details: r.totals, failed: r.totals.failed > 0 }),
        );
        const t = report.totals;
        ctx.print(report, [
          `${flags.dryRun ? 'would compact' : 'compacted'} ${t.compacted} of ${t.examined} partitions (${t.skipped} skipped, ${t.recovered} recovered, ${t.failed} failed)`,
          `objects ${t.objectsBefore} → ${t.objectsAfter}; bytes ${mb(t.bytesBefore)} → ${t.bytesAfter === null ? '?' : mb(t.bytesAfter)}; ${t.seconds.toFixed(1)} s`,
        ].join('\n'));
        return t.failed > 0 ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('integrity')
    .description('check every lake object (readable, its dataset schema) and the snapshot (every object present with its checksum); exit 1 on a problem')
    .option('--backup <url>', 'backup store to check against (default: CANDLELAKE_BACKUP; without one only the lake is checked)')
    .option('--snapshot <id>', 'snapshot to compare with, or "latest"', 'latest')
    .action(
      action(async (flags: BackupStoreFlags & { snapshot: string }, command: Command) => {
        const ctx = cliContext(command);
        const lake = openObjectStore(ctx.config.lake);
        const backup = flags.backup ?? ctx.config.backup.url ? backupStore(ctx, flags) : undefined;
        const report = await checkIntegrity({ lake, ...(backup ? { backup } : {}), cacheDir: ctx.config.cacheDir }, backup ? { snapshot: flags.snapshot } : {});
        const c = report.checked;
        ctx.print(report, [
          `${report.problems.length === 0 ? 'OK' : `${report.problems.length} PROBLEMS`} — ${c.lakeObjects} lake objects (${c.parquet} Parquet, ${c.json} JSON, ${c.againstSnapshot} against ${report.snapshotId ?? 'no snapshot'}), ${c.backupObjects} backup objects, ${report.seconds.toFixed(1)} s`,
          ...report.problems.map((p) => `  ${p.kind.padEnd(10)} ${p.path}: ${p.detail}`),
        ].join('\n'));
        return report.problems.length === 0 ? EXIT.ok : EXIT.failed;
      }),
    );

  program
    .command('restore')
    .description('make the lake (or part of it) identical to a snapshot, verifying every checksum; touches nothing outside the scope')
    .requiredOption('--snapshot <id>', 'snapshot id, or "latest"')
    .option('--backup <url>', 'backup store (default: CANDLELAKE_BACKUP)')
    .option('--dataset <name>', 'only this dataset (ohlcv, features, markets, backtest_runs, …)')
    .option('--symbol <symbol>', 'only this symbol, e.g. BTC/USDT')
    .option('--timeframe <tf>', 'only this timeframe, e.g. 1h')
    .option('--dry-run', 'show what would be restored and deleted, change nothing')
    .option('--yes', 'do not ask for confirmation')
    .action(
      action(async (flags: BackupStoreFlags & { snapshot: string; dataset?: string; symbol?: string; timeframe?: string; dryRun?: boolean; yes?: boolean }, command: Command) => {
        const ctx = cliContext(command);
        const lake = openObjectStore(ctx.config.lake);
        const backup = backupStore(ctx, flags);
        const scope = { ...(flags.dataset ? { dataset: flags.dataset } : {}), ...(flags.symbol ? { symbol: flags.symbol } : {}), ...(flags.timeframe ? { timeframe: flags.timeframe } : {}) };
        const scopeText = Object.entries(scope).map(([k, v]) => `${k}=${v}`).join(' ') || 'the whole lake';
        if (!(await confirmDestructive(flags, `restore ${scopeText} of ${lake.url} from snapshot ${flags.snapshot} (objects not in the snapshot are deleted)`))) return EXIT.ok;
        const report = await lakeOperation(
          { store: lake, clock: systemClock }, 'restore', { trigger: 'cli', ...(flags.dryRun ? { dryRun: true } : {}) },
          () => restoreLake({ lake, backup, logger: ctx.logger }, { snapshot: flags.snapshot, ...scope, ...(flags.dryRun ? { dryRun: true } : {}) }),
          (r) => ({
            summary: `restored ${r.restored.length}, deleted ${r.deleted.length}, unchanged ${r.unchanged} from ${r.snapshotId} (${scopeText})`,
            details: { snapshotId: r.snapshotId, scope: r.scope, restored: r.restored.length, deleted: r.deleted, refused: r.refused },
            failed: r.refused.length > 0,
          }),
        );
        ctx.print(report, [
          `${flags.dryRun ? 'would restore' : 'restored'} ${report.restored.length} objects (${mb(report.bytes)}), ${flags.dryRun ? 'would delete' : 'deleted'} ${report.deleted.length}, ${report.unchanged} unchanged — snapshot ${report.snapshotId}, ${scopeText}, ${report.seconds.toFixed(1)} s`,
          ...report.refused.map((r) => `  REFUSED ${r.path}: ${r.detail}`),
          ...(report.deletionsHeldBack.length ? [`  ${report.deletionsHeldBack.length} deletions held back because some backup objects were refused`] : []),
        ].join('\n'));
        return report.refused.length > 0 ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('rollback')
    .description('return the lake to its state at a time, from the object versions of a versioned S3 lake (e.g. before a bad update)')
    .requiredOption('--to <time>', 'the time to return to: -48h, -90m, -7d, or an ISO time (UTC)')
    .option('--dry-run', 'show what would be put back and deleted, change nothing')
    .option('--yes', 'do not ask for confirmation')
    .action(
      action(async (flags: { to: string; dryRun?: boolean; yes?: boolean }, command: Command) => {
        const ctx = cliContext(command);
        const lake = openObjectStore(ctx.config.lake);
        const toMs = parseTimeFlag('--to', flags.to, systemClock.nowMs());
        const at = new Date(toMs).toISOString();
        if (!(await confirmDestructive(flags, `roll ${lake.url} back to ${at} (everything written since is undone)`))) return EXIT.ok;
        const report = await lakeOperation(
          { store: lake, clock: systemClock }, 'rollback', { trigger: 'cli', ...(flags.dryRun ? { dryRun: true } : {}) },
          () => rollbackLake({ lake, logger: ctx.logger, clock: systemClock }, { toMs, ...(flags.dryRun ? { dryRun: true } : {}) }),
          (r) => ({
            summary: `rolled back to ${r.toIso}: ${r.restored.length} put back, ${r.deleted.length} deleted, ${r.conflicts.length} conflicts`,
            details: { toIso: r.toIso, restored: r.restored, deleted: r.deleted, conflicts: r.conflicts },
            failed: r.conflicts.length > 0,
          }),
        );
        ctx.print(report, [
          `${flags.dryRun ? 'would put back' : 'put back'} ${report.restored.length} objects, ${flags.dryRun ? 'would delete' : 'deleted'} ${report.deleted.length}, ${report.unchanged} unchanged — ${lake.url} as of ${report.toIso}, ${report.seconds.toFixed(1)} s`,
          ...report.restored.map((o) => `  ${o.reason.padEnd(11)} ${o.key}`),
          ...report.deleted.map((key) => `  new        ${key}`),
          ...report.conflicts.map((key) => `  CONFLICT   ${key} changed while rolling back; left as it is`),
        ].join('\n'));
        return report.conflicts.length > 0 ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('reindex')
    .description("rebuild what the lake derives from its objects: each job's latest run pointer, the latest validate report, the local DuckDB copy and views")
    .option('--dry-run', 'show which pointers would change')
    .action(
      action(async (flags: { dryRun?: boolean }, command: Command) => {
        const ctx = cliContext(command);
        const store = openObjectStore(ctx.config.lake);
        const report = await lakeOperation(
          { store, clock: systemClock }, 'reindex', { trigger: 'cli', ...(flags.dryRun ? { dryRun: true } : {}) },
          () => reindexLake(store, ctx.config.cacheDir, { dryRun: Boolean(flags.dryRun) }),
          (r) => ({ summary: `${r.pointers.filter((p) => p.changed).length} pointers rebuilt`, details: r }),
        );
        ctx.print(report, [
          ...report.pointers.map((p) => `${p.changed ? (flags.dryRun ? 'would rebuild' : 'rebuilt') : 'ok'.padEnd(7)} ${p.key} ← ${p.from}`),
          ...Object.entries(report.views).map(([view, rows]) => `view ${view}: ${rows} rows`),
        ].join('\n'));
        return EXIT.ok;
      }),
    );

  program
    .command('resync')
    .description('re-download a window from the exchange through the update job (fills what a restore or rollback lost)')
    .requiredOption('--since <time>', 'start of the window: -48h, -7d, or an ISO time')
    .option('--symbols <list>', 'comma-separated symbols (default: the configured universe)')
    .option('--timeframes <list>', 'comma-separated timeframes')
    .action(
      action(async (flags: { since: string; symbols?: string; timeframes?: string }, command: Command) => {
        const ctx = cliContext(command, universeOverrides(flags), { quietLogs: Boolean(process.stderr.isTTY), overrideSources: universeFlagSources(flags) });
        const record = await runUpdateFromCli(ctx, { since: flags.since }, 'resync');
        ctx.print(record, formatUpdateResult(record));
        await publishUpdateAlerts(ctx, record);
        return exitCodeFor(record);
      }),
    );
}
