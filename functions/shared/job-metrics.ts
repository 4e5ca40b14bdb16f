/**
 * Powertools metrics for every job Lambda: one middy middleware that records, per invocation, the
 * job's outcome (`JobSucceeded` / `JobFailed`, 0 or 1) and its duration (`JobDuration`, seconds),
 * with the dimension `job`, as CloudWatch embedded-metric-format lines on stdout — no API call, so
 * a metric can never fail or slow a job. The cold start is counted too (`ColdStart`).
 *
 * Why both 0 and 1: an alarm on `JobFailed` then sees data every run, and a missing datapoint
 * means the job did not run at all (the alarm's "missing data" setting can treat that as bad).
 */
import type { MiddlewareObj } from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The namespace every candlelake metric shares unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'candlelake';

/**
 * A Metrics instance for one job (one per container, built at module scope like the logger).
 * @example const metrics = jobMetrics('update');
 */
export function jobMetrics(job: string): Metrics {
  return new Metrics({
    namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: `candlelake-${job}`,
    defaultDimensions: { job },
  });
}

/** A result may say how the job went (`outcome: 'failed'` without throwing, e.g. a partial update). */
function outcomeOf(response: unknown): string {
  const outcome = (response as { outcome?: unknown } | null | undefined)?.outcome;
  return typeof outcome === 'string' ? outcome : 'succeeded';
}

/**
 * Records the outcome and duration of every invocation, then flushes (also when the handler throws).
 * @example export const handler = middy(fn).use(injectLambdaContext(logger)).use(jobOutcomeMetrics(metrics));
 */
export function jobOutcomeMetrics(metrics: Metrics): MiddlewareObj {
  let startedMs = 0;
  const record = (failed: boolean) => {
    metrics.addMetric('JobSucceeded', MetricUnit.Count, failed ? 0 : 1);
    metrics.addMetric('JobFailed', MetricUnit.Count, failed ? 1 : 0);
    metrics.addMetric('JobDuration', MetricUnit.Seconds, Math.round((Date.now() - startedMs) / 10) / 100);
    metrics.publishStoredMetrics();
  };
  return {
    before: (request) => {
      startedMs = Date.now();
      metrics.captureColdStartMetric(request.context.functionName);
    },
    after: (request) => record(outcomeOf(request.response) === 'failed'),
    onError: () => record(true),
  };
}
