/**
 * `candlelake service install`: the systemd unit that runs `candlelake start`, printed or written.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemdUnit } from '../../daemon/systemd-unit.ts';
import { action, type GlobalOptions } from '../context.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/candlelake.js');

interface InstallFlags {
  write?: string;
  user?: boolean;
  environmentFile?: string;
  stateDir?: string;
  restartSec: string;
}

/** A `file://` or plain relative lake made absolute against the working directory. */
function absoluteLake(lake: string, cwd: string): string {
  if (lake.startsWith('s3://') || lake.startsWith('file:///')) return lake;
  const path = lake.startsWith('file://') ? lake.slice('file://'.length) : lake;
  return `file://${resolve(cwd, path)}`;
}

export function registerService(program: Command): void {
  const service = program.command('service').description('run the daemon as a systemd service');
  service
    .command('install')
    .description('print (or --write) a systemd unit running `candlelake start` with this lake and config')
    .option('--write <path>', 'write the unit there instead of printing it (e.g. ~/.config/systemd/user/candlelake.service)')
    .option('--user', 'a `systemctl --user` unit (default: a system unit running as the current user)')
    .option('--environment-file <path>', 'an environment file for secrets (TELEGRAM_*, FRED_API_KEY, AWS_*), read if present')
    .option('--state-dir <dir>', 'the daemon’s --state-dir')
    .option('--restart-sec <s>', 'seconds before systemd restarts a failed daemon', '30')
    .action(
      action(async (flags: InstallFlags, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const cwd = process.cwd();
        const lake = global.lake ?? process.env.CANDLELAKE_LAKE;
        const config = global.config ?? process.env.CANDLELAKE_CONFIG;
        const unit = systemdUnit({
          nodePath: process.execPath,
          binPath: BIN,
          workingDirectory: cwd,
          globalArgs: [
            ...(lake ? ['--lake', absoluteLake(lake, cwd)] : []),
            ...(config ? ['--config', resolve(cwd, config)] : []),
            ...(global.binanceUrl ? ['--binance-url', global.binanceUrl] : []),
          ],
          startArgs: flags.stateDir ? ['--state-dir', resolve(cwd, flags.stateDir)] : [],
          user: Boolean(flags.user),
          runAs: userInfo().username,
          ...(flags.environmentFile ? { environmentFile: resolve(cwd, flags.environmentFile) } : {}),
          restartSec: Number(flags.restartSec),
        });
        if (!flags.write) {
          process.stdout.write(unit);
          return 0;
        }
        const path = resolve(cwd, flags.write);
        writeFileSync(path, unit);
        const ctl = flags.user ? 'systemctl --user' : 'sudo systemctl';
        process.stderr.write(`wrote ${path}\nthen: ${ctl} daemon-reload && ${ctl} enable --now ${path.split('/').pop()!.replace(/\.service$/, '')}\n`);
        return 0;
      }),
    );
}
