/** Errors of the metrics port. */

/**
 * A batch of points that CloudWatch did not accept. Batches go out one after another, so
 * `pointsSent` points (the earlier batches) were stored and the rest were not.
 * The SDK's error is the `cause`.
 *
 * @example
 * try { await sink.publish(points); } catch (error) {
 *   if (error instanceof MetricsPublishError) logger.error(error.message, { pointsSent: error.pointsSent });
 * }
 */
export class MetricsPublishError extends Error {
  override readonly name = 'MetricsPublishError';

  constructor(
    readonly namespace: string,
    /** 1-based number of the failed batch. */
    readonly batchNumber: number,
    readonly batchCount: number,
    /** Points stored by the batches before the failed one. */
    readonly pointsSent: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `CloudWatch PutMetricData to namespace "${namespace}" failed on batch ${batchNumber} of ${batchCount}` +
        ` (${pointsSent} points sent before it): ${reason}`,
      { cause },
    );
  }
}
