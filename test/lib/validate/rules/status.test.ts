import { describe, expect, it } from 'vitest';
import { exitCodeForStatus, overallStatus } from '../../../../lib/validate/rules/status.ts';
import type { Finding, Severity } from '../../../../lib/validate/rules/types.ts';

const f = (severity: Finding['severity']): Finding => ({ kind: 'stale', severity, key: `k-${severity}`, text: 't' });

describe('overallStatus', () => {
  it.each<[string, Finding[], Severity]>([
    ['no findings', [], 'OK'],
    ['only INFO (INFO counts as OK)', [f('INFO'), f('INFO')], 'OK'],
    ['a WARNING among INFOs', [f('INFO'), f('WARNING'), f('INFO')], 'WARNING'],
    ['a CRITICAL first', [f('CRITICAL'), f('WARNING')], 'CRITICAL'],
    ['a CRITICAL last', [f('INFO'), f('WARNING'), f('CRITICAL')], 'CRITICAL'],
  ])('%s -> %s', (_name, findings, status) => {
    expect(overallStatus(findings)).toBe(status);
  });
});

describe('exitCodeForStatus', () => {
  it.each([
    ['OK', 0],
    ['INFO', 0],
    ['WARNING', 1],
    ['CRITICAL', 2],
  ] as const)('%s -> %d', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });

  it('an overall status maps straight to the exit code', () => {
    expect(exitCodeForStatus(overallStatus([f('INFO'), f('WARNING')]))).toBe(1);
  });
});
