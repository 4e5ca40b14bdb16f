/**
 * The validate job's rules: pure, fast functions that turn what the validator measured into
 * findings. The job (`lib/validate`) does the I/O; everything here is a decision.
 */
export type * from './types.ts';
export { DEFAULT_EXPECTED_NEWEST, DEFAULT_STALENESS, expectedNewestOpenTime, stalenessFinding } from './staleness.ts';
export { DEFAULT_GAP_CRITICAL_SPAN_MS, findGaps, gapFinding, gapKey, isKnownGap } from './gaps.ts';
export { DEFAULT_JUMP_THRESHOLD_PCT, crossTimeframeAgrees, crossTimeframeFinding, isExtremeJump, sanityFindings } from './sanity.ts';
export { coverageFindings, coverageSummaryLine } from './coverage.ts';
export { DEFAULT_MAX_OBJECTS_PER_PARTITION, compactionFinding, schemaDifferences, schemaFinding, schemaMatches, unreadableFinding } from './health.ts';
export { exitCodeForStatus, overallStatus } from './status.ts';
