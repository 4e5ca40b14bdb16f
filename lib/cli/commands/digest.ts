/** `candlelake digest`: the morning digest, to Telegram when configured, else printed. */
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { runDigest } from '../../digest/index.ts';
import { alertSenderFromEnv } from '../../notify/telegram-alert-sender.ts';
import { openObjectStore } from '../../object-store/index.ts';
import { telegramSenderFromEnv } from '../../telegram/from-env.ts';
import { action, cliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description('send the daily digest (Telegram when TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are set, else print it)')
    .action(
      action(async (_flags: unknown, command: Command) => {
        const ctx = cliContext(command);
        const telegram = telegramSenderFromEnv(process.env, ctx.logger);
        const digest = await runDigest({
          store: openObjectStore(ctx.config.lake),
          clock: systemClock,
          logger: ctx.logger,
          cacheDir: ctx.config.cacheDir,
          alertSender: alertSenderFromEnv(process.env, ctx.logger),
          ...(telegram
            ? { sendText: (text: string) => telegram.sendText(text), sendPhoto: (png: Uint8Array, caption: string) => telegram.sendPhoto(png, caption) }
            : { sendText: async () => undefined }),
        });
        ctx.print(digest, digest.text);
        return EXIT.ok;
      }),
    );
}
