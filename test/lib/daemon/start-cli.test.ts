/**
 * `candlelake start` and `candlelake service install` through the real CLI in child processes:
 * one daemon per lake (the second exits 2 and names the first), SIGTERM on an idle daemon exits 0
 * and removes its pid file, and the unit file carries absolute paths and the lake flag.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readDaemonStatus } from '../../../lib/daemon/status-store.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { CLI_PATH, runCli, startCli } from '../../harness/cli.ts';

describe('candlelake start (CLI)', () => {
  it('refuses a second daemon on the same lake with exit 2; SIGTERM stops the first cleanly (exit 0, pid file removed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-daemon-cli-'));
    const lake = `file://${join(dir, 'lake')}`;
    const stateDir = join(dir, 'state');
    // No catch-up: an empty lake would otherwise get its first update from Binance at once.
    const args = ['--lake', lake, 'start', '--state-dir', stateDir, '--no-catch-up', '--dashboard-port', '0'];
    const first = startCli(args, { CANDLELAKE_LOG_LEVEL: 'info' });
    let stdout = '';
    first.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await vi.waitFor(() => expect(stdout).toContain('daemon running'), { timeout: 30_000, interval: 100 });
    const [pidFile] = await readdir(stateDir).then((names) => names.filter((n) => n.endsWith('.pid')));
    expect(JSON.parse(await readFile(join(stateDir, pidFile!), 'utf8'))).toMatchObject({ pid: first.child.pid, lake });

    // The daemon serves the dashboard too.
    const dashboardUrl = /dashboard (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    const page = await fetch(dashboardUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<table');

    const second = await runCli(args);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`candlelake: another daemon is already running on ${lake}: pid ${first.child.pid} on `);
    expect(second.stderr).toContain(`stop it first (kill -TERM ${first.child.pid})`);

    const status = await runCli(['--lake', lake, '--json', 'status']);
    const report = JSON.parse(status.stdout) as { daemon: { pid: number; status: string; running: string[]; nextRuns: Record<string, string> } };
    expect(report.daemon).toMatchObject({ pid: first.child.pid, status: 'OK', running: [] });
    expect(Object.keys(report.daemon.nextRuns)).toEqual(['update', 'validate', 'sentiment', 'backup', 'digest', 'backtest']);

    first.child.kill('SIGTERM');
    const exit = await first.done;
    expect([exit.code, exit.signal]).toEqual([0, null]);
    expect(existsSync(join(stateDir, pidFile!))).toBe(false);
    expect((await readDaemonStatus(new FileObjectStore(join(dir, 'lake'))))!.state).toBe('stopped');
    // JSON lines on stdout (not a terminal) and in the rotating log file.
    const logged = (await readFile(join(stateDir, 'logs', 'daemon.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(logged.map((l) => l.message)).toEqual(expect.arrayContaining(['daemon started', 'SIGTERM: stopping after the running jobs (send it again to exit at once)', 'daemon stopped']));
    expect(exit.stdout.trim().split('\n').every((l) => l.startsWith('{'))).toBe(true);
  });

  it('a bad flag is one line and exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-daemon-cli-'));
    const exit = await runCli(['--lake', `file://${dir}`, 'start', '--state-dir', dir, '--timeout', 'nightly=1h']);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe('candlelake: Invalid option --timeout: unknown job "nightly" (one of update, validate, sentiment, backup, digest, backtest)\n');
  });
});

describe('candlelake service install (CLI)', () => {
  it('prints a unit with the absolute node and bin paths and the lake, or writes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candlelake-daemon-unit-'));
    const printed = await runCli(['--lake', 's3://lake-bucket/prod', 'service', 'install', '--user']);
    expect([printed.code, printed.stderr]).toEqual([0, '']);
    expect(printed.stdout).toContain(`ExecStart=${process.execPath} ${CLI_PATH} --lake s3://lake-bucket/prod start\n`);
    expect(printed.stdout).toContain(`WorkingDirectory=${resolve('.')}\n`);
    expect(printed.stdout).toContain('Restart=on-failure\nRestartSec=30\nNice=0\n');
    expect(printed.stdout).toContain('After=network-online.target\n');
    expect(printed.stdout).toContain('WantedBy=default.target\n');

    const path = join(dir, 'candlelake.service');
    const written = await runCli(['--lake', 'lake', 'service', 'install', '--write', path, '--environment-file', join(dir, 'env')]);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(`wrote ${path}`);
    const unit = await readFile(path, 'utf8');
    expect(unit).toContain(`--lake file://${resolve('lake')} start\n`);
    expect(unit).toContain(`EnvironmentFile=-${join(dir, 'env')}\n`);
    expect(unit).toContain('WantedBy=multi-user.target\n');
  });
});
