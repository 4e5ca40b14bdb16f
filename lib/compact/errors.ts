/** Errors of lake compaction. */
import type { CompactionStep } from './types.ts';

/**
 * A hook stopped the run after a step (a simulated kill). Never caught per partition: the run
 * ends there, exactly as a crash would leave it.
 */
export class CompactionInterruptedError extends Error {
  constructor(readonly step: CompactionStep, readonly partitionKeyPrefix: string, cause: unknown) {
    super(`compaction interrupted after ${step} in ${partitionKeyPrefix}`, { cause });
    this.name = 'CompactionInterruptedError';
  }
}

/** The staged compact part does not hold exactly the inputs' rows; it is deleted, never published. */
export class CompactionVerificationError extends Error {
  constructor(readonly partitionKeyPrefix: string, readonly problems: readonly string[]) {
    super(`compact part of ${partitionKeyPrefix} failed verification: ${problems.join('; ')}`);
    this.name = 'CompactionVerificationError';
  }
}
