/** Errors of the update job. */

/** The run's lease was taken over by another run: stop writing at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(leaseName: string) {
    super(`lease ${leaseName} was taken over by another run; stopped writing`);
  }
}
