/** The fallback sender: writes alert messages to the job's log when no Telegram token is configured. */
import type { JobLogger } from '../logging/types.ts';
import type { Alert, AlertMessageKind, AlertSender } from './types.ts';

/**
 * One line per alert, as a message body: `CRITICAL update:fetch-failed ×3 — text`.
 * @example alertMessageLines([alert], 'resolved') // ['RESOLVED update:fetch-failed — fetch failed for BTC/USDT']
 */
export function alertMessageLines(alerts: readonly Alert[], kind: AlertMessageKind): string[] {
  return alerts.map((alert) => {
    const label = kind === 'resolved' ? 'RESOLVED' : alert.severity;
    const times = alert.count > 1 ? ` ×${alert.count}` : '';
    return `${label} ${alert.key}${times} — ${alert.text}`;
  });
}

/**
 * A sender that logs each message (CRITICAL as `error`, the rest as `warn`/`info`); never fails.
 * @example const sender = token ? telegramSender : consoleAlertSender(logger);
 */
export function consoleAlertSender(logger: JobLogger): AlertSender {
  return {
    send(alerts, kind) {
      const fields = { kind, keys: alerts.map((a) => a.key), lines: alertMessageLines(alerts, kind) };
      if (kind === 'critical') logger.error('alert', fields);
      else if (kind === 'warning-batch') logger.warn('alert', fields);
      else logger.info('alert resolved', fields);
      return Promise.resolve();
    },
  };
}
