/** A progress bar on stderr for long work, shown only on a terminal and never with `--json`. */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(done: number, total: number, label: string): void;
  stop(): void;
}

const SILENT: ProgressReporter = { update: () => undefined, stop: () => undefined };

/**
 * @example const progress = createProgress('update', !json); progress.update(3, 240, 'BTC/USDT 1h');
 */
export function createProgress(title: string, enabled: boolean): ProgressReporter {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {value}/{total} series | {label}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(total, 0, { label });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
