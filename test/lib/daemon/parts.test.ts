/** The daemon's small parts: the pid lock, the rotating log file, durations and the systemd unit. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseJobDurations } from '../../../lib/daemon/duration.ts';
import { acquirePidLock, DaemonAlreadyRunningError, pidFilePath } from '../../../lib/daemon/pid-lock.ts';
import { openRotatingFile } from '../../../lib/daemon/rotating-file.ts';
import { systemdUnit } from '../../../lib/daemon/systemd-unit.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'candlelake-daemon-parts-'));

describe('acquirePidLock', () => {
  it('refuses a second holder on the same lake while the first lives, allows another lake, and is free again after release', async () => {
    const dir = await tempDir();
    // A live process that is not us: the parent of this worker.
    const other = { pid: process.ppid, startedAtMs: Date.parse('2024-06-10T00:00:00Z') };
    const first = acquirePidLock(dir, 'file:///lake-a', other);
    expect(() => acquirePidLock(dir, 'file:///lake-a')).toThrow(DaemonAlreadyRunningError);
    expect(() => acquirePidLock(dir, 'file:///lake-a')).toThrow(`another daemon is already running on file:///lake-a: pid ${process.ppid} on ${hostname()}, started 2024-06-10T00:00:00.000Z`);
    const second = acquirePidLock(dir, 'file:///lake-b');
    second.release();
    first.release();
    const mine = acquirePidLock(dir, 'file:///lake-a');
    // A release by a former holder leaves the new holder's file alone.
    first.release();
    expect(JSON.parse(await readFile(mine.path, 'utf8'))).toMatchObject({ pid: process.pid, lake: 'file:///lake-a' });
    mine.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over the pid file of a dead process', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(pidFilePath(dir, 'file:///lake'), JSON.stringify({ pid: deadPid, host: hostname(), lake: 'file:///lake', startedAt: '2024-06-10T00:00:00.000Z' }));
    const lock = acquirePidLock(dir, 'file:///lake');
    expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});

describe('openRotatingFile', () => {
  it('rotates at the size limit and keeps N old files', async () => {
    const dir = await tempDir();
    const file = openRotatingFile(join(dir, 'logs', 'daemon.log'), { maxBytes: 100, keep: 2 });
    // 40-byte lines (39 + newline): two fit in 100 bytes, the third rotates.
    for (let i = 0; i < 9; i += 1) file.write(`line ${i}`.padEnd(39, '.'));
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
    const lines = async (name: string) => (await readFile(join(dir, 'logs', name), 'utf8')).split('\n').filter(Boolean).map((l) => l.slice(0, 6));
    expect(await lines('daemon.log')).toEqual(['line 8']);
    expect(await lines('daemon.log.1')).toEqual(['line 6', 'line 7']);
    expect(await lines('daemon.log.2')).toEqual(['line 4', 'line 5']);
  });
});

describe('durations', () => {
  it.each([['90s', 90_000], ['30m', 1_800_000], ['2h', 7_200_000], ['7d', 604_800_000], ['1500', 1500]] as const)('%s → %d ms', (text, ms) => {
    expect(parseDuration('--x', text)).toBe(ms);
  });
  it('parses per-job timeouts and refuses unknown jobs with the valid names', () => {
    expect(parseJobDurations('--timeout', 'update=90m,digest=0')).toEqual({ update: 5_400_000, digest: 0 });
    expect(() => parseJobDurations('--timeout', 'updat=90m')).toThrow('Invalid option --timeout: unknown job "updat" (one of update, validate, sentiment, backup, digest, backtest)');
    expect(() => parseDuration('--catch-up-window', 'soon')).toThrow('Invalid option --catch-up-window: "soon" is not a duration');
  });
});

describe('systemdUnit', () => {
  it('a system unit: absolute ExecStart with the lake and config flags, restart on failure, after the network', () => {
    const unit = systemdUnit({
      nodePath: '/usr/bin/node', binPath: '/srv/candlelake/bin/candlelake.js', workingDirectory: '/srv/candlelake',
      globalArgs: ['--lake', 's3://lake-bucket/prod', '--config', '/etc/candlelake/config.json'], runAs: 'trader',
      environmentFile: '/etc/candlelake/env', restartSec: 15,
    });
    expect(unit.split('\n')).toEqual([
      '[Unit]',
      'Description=candlelake daemon: market-data lake jobs and the daily backtest on their UTC schedule',
      'Wants=network-online.target',
      'After=network-online.target',
      '',
      '[Service]',
      'Type=simple',
      'User=trader',
      'WorkingDirectory=/srv/candlelake',
      'EnvironmentFile=-/etc/candlelake/env',
      'ExecStart=/usr/bin/node /srv/candlelake/bin/candlelake.js --lake s3://lake-bucket/prod --config /etc/candlelake/config.json start',
      'Restart=on-failure',
      'RestartSec=15',
      'Nice=0',
      'KillMode=mixed',
      'KillSignal=SIGTERM',
      'TimeoutStopSec=600',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ]);
  });

  it('a user unit has no User= and is wanted by default.target; paths with spaces are quoted', () => {
    const unit = systemdUnit({ nodePath: '/opt/node 20/bin/node', binPath: '/home/me/candlelake/bin/candlelake.js', workingDirectory: '/home/me/candlelake', user: true, runAs: 'me' });
    expect(unit).toContain('ExecStart="/opt/node 20/bin/node" /home/me/candlelake/bin/candlelake.js start\n');
    expect(unit).not.toContain('User=');
    expect(unit).not.toContain('EnvironmentFile');
    expect(unit).toContain('WantedBy=default.target\n');
  });
});
