/**
 * The validate run's overall status and the process exit code that goes with it.
 */
import type { Finding, Severity } from './types.ts';

const RANK: Readonly<Record<Severity, number>> = { OK: 0, INFO: 1, WARNING: 2, CRITICAL: 3 };

/**
 * The worst severity among the findings, `OK` when there are none. INFO findings (exchange gaps,
 * delisted symbols, repairs done) describe the world, not a problem with the lake, so they leave
 * the overall status at `OK`: the result is `OK`, `WARNING` or `CRITICAL`, never `INFO`.
 * @example overallStatus([{ kind: 'delisted', severity: 'INFO', key: 'k', text: 't' }]) // 'OK'
 */
export function overallStatus(findings: readonly Pick<Finding, 'severity'>[]): Severity {
  let worst: Severity = 'OK';
  for (const { severity } of findings) if (RANK[severity] > RANK[worst]) worst = severity;
  return worst === 'INFO' ? 'OK' : worst;
}

/**
 * Process exit code for a status: 0 for OK and INFO, 1 for WARNING, 2 for CRITICAL.
 * @example exitCodeForStatus('WARNING') // 1
 */
export function exitCodeForStatus(status: Severity): 0 | 1 | 2 {
  switch (status) {
    case 'CRITICAL':
      return 2;
    case 'WARNING':
      return 1;
    case 'OK':
    case 'INFO':
      return 0;
  }
}
