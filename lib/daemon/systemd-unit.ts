/**
 * The systemd unit that keeps `candlelake start` running: restarted on failure, after the network,
 * at normal priority (the backtest child lowers its own). SIGTERM to the daemon only
 * (`KillMode=mixed`): it lets the running job finish and stops the backtest child itself.
 */

export interface SystemdUnitOptions {
  /** Absolute path of node. */
  nodePath: string;
  /** Absolute path of bin/candlelake.js. */
  binPath: string;
  workingDirectory: string;
  /** Flags after `candlelake` and before `start` (`--lake …`, `--config …`). */
  globalArgs?: readonly string[];
  /** Flags after `start`. */
  startArgs?: readonly string[];
  /** A `systemctl --user` unit (no `User=`, wanted by default.target). */
  user?: boolean;
  /** The account a system unit runs as. */
  runAs?: string;
  /** An optional environment file (TELEGRAM_*, FRED_API_KEY, AWS_*), read if present. */
  environmentFile?: string;
  restartSec?: number;
  /** How long systemd waits after SIGTERM for the running job to finish, then SIGKILL. */
  timeoutStopSec?: number;
}

/** Quotes one ExecStart word when it needs it (systemd's own quoting rules, double quotes). */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * @example systemdUnit({ nodePath: '/usr/bin/node', binPath: '/srv/candlelake/bin/candlelake.js', workingDirectory: '/srv/candlelake', user: true })
 */
export function systemdUnit(options: SystemdUnitOptions): string {
  const exec = [options.nodePath, options.binPath, ...(options.globalArgs ?? []), 'start', ...(options.startArgs ?? [])].map(quote).join(' ');
  return [
    '[Unit]',
    'Description=candlelake daemon: market-data lake jobs and the daily backtest on their UTC schedule',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(!options.user && options.runAs ? [`User=${options.runAs}`] : []),
    `WorkingDirectory=${options.workingDirectory}`,
    ...(options.environmentFile ? [`EnvironmentFile=-${options.environmentFile}`] : []),
    `ExecStart=${exec}`,
    'Restart=on-failure',
    `RestartSec=${options.restartSec ?? 30}`,
    'Nice=0',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${options.timeoutStopSec ?? 600}`,
    '',
    '[Install]',
    `WantedBy=${options.user ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}
