/** The Fear & Greed client against the alternative.me stand-in: history, incremental reads and faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MalformedResponseError, SourceRejectedError, SourceUnavailableError } from '../../../../lib/sentiment/sources/errors.ts';
import { createFearGreedSource, type FearGreedOptions } from '../../../../lib/sentiment/sources/fear-greed.ts';
import {
  apiErrorBody,
  fearGreedOn,
  startAlternativeMeStandIn,
  type AlternativeMeStandIn,
} from '../../../stand-ins/alternative-me/index.ts';

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2018, 1, 1);
const NOW_MS = Date.UTC(2024, 5, 10, 12, 0);
const TODAY_MS = Date.UTC(2024, 5, 10);

let standIn: AlternativeMeStandIn;

beforeAll(async () => {
  standIn = await startAlternativeMeStandIn({ startMs: START_MS, now: () => NOW_MS });
});
afterEach(() => {
  standIn.faults.clear();
  standIn.requests.length = 0;
});
afterAll(async () => {
  await standIn.close();
});

const source = (options: FearGreedOptions = {}) =>
  createFearGreedSource({ baseUrl: standIn.url, now: () => NOW_MS, maxTries: 3, retryBaseMs: 5, timeoutMs: 2_000, ...options });

describe('history', () => {
  it('reads the full history with limit=0, oldest first, one point per day', async () => {
    const points = await source().history();
    expect(standIn.requests.map((r) => r.query)).toEqual([{ limit: '0', format: 'json' }]);
    expect(points).toHaveLength((TODAY_MS - START_MS) / DAY_MS + 1);
    expect(points[0]).toEqual(fearGreedOn(START_MS));
    expect(points.at(-1)).toEqual(fearGreedOn(TODAY_MS));
    expect(points.every((p, i) => i === 0 || p.dateMs - points[i - 1]!.dateMs === DAY_MS)).toBe(true);
    expect(points[100]).toEqual({ dateMs: START_MS + 100 * DAY_MS, value: expect.any(Number), classification: expect.any(String) });
  });

  it.each([
    ['a day boundary', Date.UTC(2024, 5, 3), 10, 8],
    ['mid-day (that day is left out)', Date.UTC(2024, 5, 3, 6), 10, 7],
    ['today', TODAY_MS, 3, 1],
  ])('reads incrementally from %s with a limit of the days needed plus 2', async (_, sinceMs, limit, count) => {
    const points = await source().history(sinceMs);
    expect(standIn.requests[0]?.query['limit']).toBe(String(limit));
    expect(points).toHaveLength(count);
    expect(points.every((p) => p.dateMs >= sinceMs)).toBe(true);
    expect(points.at(-1)).toEqual(fearGreedOn(TODAY_MS));
  });

  it('answers an empty page with no points', async () => {
    standIn.faults.add({ times: 1, action: { type: 'empty-page' } });
    await expect(source().history(Date.UTC(2024, 5, 1))).resolves.toEqual([]);
  });
});

describe('faults', () => {
  it('waits out a 429 Retry-After before trying again', async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
    const started = Date.now();
    const points = await source().history(TODAY_MS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(points).toEqual([fearGreedOn(TODAY_MS)]);
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('fails fast when Retry-After is longer than allowed', async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 429, retryAfterSec: 120 } });
    const error = await source({ maxRetryAfterMs: 5_000 }).history(TODAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(standIn.requests).toHaveLength(1);
  });

  it('tries again after a 5xx and returns what the next try got', async () => {
    const retries: number[] = [];
    standIn.faults.add({ times: 2, action: { type: 'status', status: 502 } });
    const points = await source({ onRetry: (_, attempt) => retries.push(attempt) }).history(TODAY_MS);
    expect(points).toEqual([fearGreedOn(TODAY_MS)]);
    expect(retries).toEqual([1, 2]);
  });

  it.each(['status', 'socket'] as const)('reports a persistent outage (%s) as SourceUnavailableError after every try', async (mode) => {
    standIn.faults.add({ action: { type: 'outage', mode } });
    const error = await source().history(TODAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error).toMatchObject({ source: 'alternative.me', message: expect.stringContaining('after 3 tries') });
    expect(standIn.requests).toHaveLength(3);
  });

  it('times out a stalled answer and tries again', async () => {
    standIn.faults.add({ times: 1, action: { type: 'stall', ms: 1_000 } });
    const points = await source({ timeoutMs: 100 }).history(TODAY_MS);
    expect(points).toEqual([fearGreedOn(TODAY_MS)]);
    expect(standIn.requests).toHaveLength(2);
  });

  it('gives up on a source that always stalls', async () => {
    standIn.faults.add({ action: { type: 'stall', ms: 1_000 } });
    const error = await source({ timeoutMs: 100, maxTries: 2 }).history(TODAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toContain('timed out after 100 ms');
  });

  it('reports a truncated body as MalformedResponseError without retrying', async () => {
    standIn.faults.add({ times: 1, action: { type: 'malformed-body' } });
    const error = await source().history(TODAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({ source: 'alternative.me', reason: 'not JSON' });
    expect(standIn.requests).toHaveLength(1);
  });

  it('reports a body of the wrong shape as MalformedResponseError', async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 200, body: '{"data":[{"value":"high","timestamp":"x"}],"metadata":{}}' } });
    await expect(source().history(TODAY_MS)).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it("reports the API's metadata.error as SourceRejectedError", async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 200, body: apiErrorBody('Something went wrong') } });
    const error = await source().history(TODAY_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRejectedError);
    expect((error as Error).message).toContain('Something went wrong');
  });
});
