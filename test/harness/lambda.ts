/** What in-process Lambda handler tests share: a Context, and the JSON lines Powertools writes. */
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';

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
export function captureOutput(): { chunks: string[]; jsonLines(): Array<Record<string, unknown>>; clear(): void } {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  return {
    chunks,
    jsonLines: () => chunks.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    clear: () => {
      chunks.length = 0;
    },
  };
}
