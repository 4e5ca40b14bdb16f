/** What in-process Lambda handler tests share: a Context, and the JSON lines Powertools writes. */
import type { Context } from 'aws-lambda';
import { expect, vi } from 'vitest';
import { recordCapturedOutput } from './secret-log-guard.ts';

/**
 * A Lambda context for `functionName` (request id `req-1` unless given).
 * @example await handler(event, lambdaContext('candlelake-dev-update'));
 */
export function lambdaContext(functionName: string, awsRequestId = 'req-1'): Context {
  return {
    functionName, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1536', awsRequestId, logGroupName: `/aws/lambda/${functionName}`, logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 900_000,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

/**
 * Captures stdout and stderr (Powertools writes INFO and below to stdout, WARN and ERROR to
 * stderr), in order. Call `vi.restoreAllMocks()` when done.
 * @example const output = captureOutput(); …; output.jsonLines()
 */
export function captureOutput(): {
  chunks: string[];
  jsonLines(): Array<Record<string, unknown>>;
  /** The log lines: JSON lines without the embedded-metric-format lines Powertools metrics writes. */
  logLines(): Array<Record<string, unknown>>;
  /** The job-outcome metrics line of each invocation (functions/shared/job-metrics.ts), checked for its shape. */
  jobMetricLines(): Array<Record<string, unknown>>;
  clear(): void;
} {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      recordCapturedOutput(String(chunk), `captureOutput ${stream === process.stdout ? 'stdout' : 'stderr'}`);
      return true;
    });
  }
  const jsonLines = () => chunks.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    chunks,
    jsonLines,
    logLines: () => jsonLines().filter((l) => !('_aws' in l)),
    jobMetricLines: () =>
      jsonLines()
        .filter((l) => '_aws' in l && 'JobDuration' in l)
        .map((line) => {
          const emf = line['_aws'] as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
          expect(emf.CloudWatchMetrics[0]!.Dimensions[0]).toContain('job');
          expect(emf.CloudWatchMetrics[0]!.Metrics.map((m) => `${m.Name}:${m.Unit}`).sort()).toEqual(['JobDuration:Seconds', 'JobFailed:Count', 'JobSucceeded:Count']);
          return line;
        }),
    clear: () => {
      chunks.length = 0;
    },
  };
}
