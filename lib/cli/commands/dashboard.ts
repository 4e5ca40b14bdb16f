/**
 * `candlelake dashboard`: serves the status dashboard until interrupted (`GET /` the page,
 * `GET /status.json` its model), or with `--write [key]` stores it once as a static HTML object
 * in the lake and prints the key.
 */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { ConfigError } from '../../config/errors.ts';
import { DASHBOARD_DEFAULT_KEY, DASHBOARD_SERVER_DEFAULTS, dashboardWrite, startDashboardServer } from '../../dashboard/index.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { action, cliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

interface DashboardFlags {
  port: string;
  host: string;
  write?: boolean | string;
}

function portFlag(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new ConfigError(`Invalid option --port: "${value}" is not a port (0-65535)`, ['port']);
  return port;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve the status dashboard (GET / and /status.json), or --write it to the lake as a static page')
    .option('--port <port>', 'port to listen on (0: any free port)', String(DASHBOARD_SERVER_DEFAULTS.port))
    .option('--host <host>', 'address to listen on', DASHBOARD_SERVER_DEFAULTS.host)
    .option('--write [key]', `write the page to the lake once (default key ${DASHBOARD_DEFAULT_KEY}) and print its key`)
    .action(
      action(async (flags: DashboardFlags, command: Command) => {
        const ctx = cliContext(command);
        const deps = { store: openObjectStore(ctx.config.lake), config: ctx.config, clock: systemClock, logger: ctx.logger };
        if (flags.write !== undefined) {
          const written = await dashboardWrite(deps, typeof flags.write === 'string' ? flags.write : DASHBOARD_DEFAULT_KEY);
          ctx.print(written, written.key);
          return EXIT.ok;
        }
        const server = await startDashboardServer({ ...deps, port: portFlag(flags.port), host: flags.host });
        ctx.print({ url: server.url }, server.url);
        const signal = await untilInterrupted();
        ctx.logger.info('dashboard: stopping', { signal });
        await server.close();
        return EXIT.ok;
      }),
    );
}
