/** Process exit codes of the `candlelake` CLI: scripts and the daemon branch on them. */
export const EXIT = {
  /** Done (or skipped because another run holds the lease). */
  ok: 0,
  /** The job failed. */
  failed: 1,
  /** Bad configuration or usage: nothing was touched. */
  config: 2,
  /** The job ran but some series failed; the run record lists them. */
  partial: 3,
} as const;
