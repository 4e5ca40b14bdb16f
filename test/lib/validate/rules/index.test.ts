import { describe, expect, it } from 'vitest';
import * as rules from '../../../../lib/validate/rules/index.ts';

describe('lib/validate/rules index', () => {
  it.each([
    'expectedNewestOpenTime', 'stalenessFinding',
    'findGaps', 'gapKey', 'gapFinding', 'isKnownGap',
    'sanityFindings', 'isExtremeJump', 'crossTimeframeAgrees', 'crossTimeframeFinding',
    'coverageFindings', 'coverageSummaryLine',
    'compactionFinding', 'unreadableFinding', 'schemaFinding', 'schemaMatches', 'schemaDifferences',
    'overallStatus', 'exitCodeForStatus',
  ] as const)('re-exports %s', (name) => {
    expect(typeof rules[name]).toBe('function');
  });

  it('re-exports the defaults', () => {
    expect(rules.DEFAULT_STALENESS['1d'].criticalLagMs).toBe(7 * 86_400_000);
    expect(rules.DEFAULT_EXPECTED_NEWEST).toEqual({ updateCron: '30 0 * * *', graceMs: 20 * 60_000 });
    expect(rules.DEFAULT_GAP_CRITICAL_SPAN_MS).toBe(86_400_000);
    expect(rules.DEFAULT_JUMP_THRESHOLD_PCT).toBe(30);
    expect(rules.DEFAULT_MAX_OBJECTS_PER_PARTITION).toBe(24);
  });
});
