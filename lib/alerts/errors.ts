/** Errors of the alert model. */

/** A compare-and-swap write of one alert kept losing to other writers and gave up. */
export class AlertWriteConflictError extends Error {
  override readonly name = 'AlertWriteConflictError';
  constructor(readonly alertKey: string, readonly attempts: number) {
    super(`alert ${alertKey}: gave up after ${attempts} conflicting writes`);
  }
}

/** A finding handed to `raiseAlerts` cannot become an alert (empty key, unknown severity). */
export class InvalidAlertFindingError extends Error {
  override readonly name = 'InvalidAlertFindingError';
  constructor(readonly alertKey: string, reason: string) {
    super(`finding "${alertKey}" cannot be raised: ${reason}`);
  }
}
