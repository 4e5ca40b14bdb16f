/** The FRED client against the FRED stand-in: series, paging, missing values, faults and key redaction. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MalformedResponseError, SourceRejectedError, SourceUnavailableError } from '../../../../lib/sentiment/sources/errors.ts';
import { createFredSource, type FredOptions } from '../../../../lib/sentiment/sources/fred.ts';
import { FRED_SERIES, FRED_STAND_IN_KEY, observationsOf, startFredStandIn, type FredStandIn } from '../../../stand-ins/fred/index.ts';
import { FRED_OTHER_KEY } from '../../../harness/test-secrets.ts';

const START_MS = Date.UTC(2022, 0, 1);
const NOW_MS = Date.UTC(2024, 5, 10, 15, 0);

let standIn: FredStandIn;

beforeAll(async () => {
  standIn = await startFredStandIn({ startMs: START_MS, now: () => NOW_MS });
});
afterEach(() => {
  standIn.faults.clear();
  standIn.requests.length = 0;
});
afterAll(async () => {
  await standIn.close();
});

const source = (options: Partial<FredOptions> = {}) =>
  createFredSource({ apiKey: FRED_STAND_IN_KEY, baseUrl: standIn.url, maxTries: 3, retryBaseMs: 5, timeoutMs: 2_000, ...options });

/** What the stand-in publishes, as the client should return it. */
function expected(seriesId: string, sinceMs = START_MS) {
  return observationsOf(FRED_SERIES.get(seriesId)!, Math.max(START_MS, sinceMs), NOW_MS)
    .filter((row) => row.value !== '.')
    .map((row) => ({ dateMs: Date.parse(`${row.date}T00:00:00Z`), value: Number(row.value) }));
}

describe('observations', () => {
  it.each(['DTWEXBGS', 'SP500', 'VIXCLS', 'DGS10'])('reads all of %s, oldest first, without the "." days', async (seriesId) => {
    const raw = observationsOf(FRED_SERIES.get(seriesId)!, START_MS, NOW_MS);
    const points = await source().observations(seriesId);
    expect(raw.some((row) => row.value === '.')).toBe(true);
    expect(points).toEqual(expected(seriesId));
    expect(points).toHaveLength(raw.filter((row) => row.value !== '.').length);
    expect(points.at(-1)?.dateMs).toBe(Date.UTC(2024, 5, 7)); // Friday: the business day before Monday the 10th
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]?.query).toMatchObject({ series_id: seriesId, file_type: 'json', limit: '100000', offset: '0' });
    expect(standIn.requests[0]?.query['observation_start']).toBeUndefined();
  });

  it('skips New Year and Independence Day', async () => {
    const points = await source().observations('SP500', Date.UTC(2023, 6, 1));
    const dates = points.map((p) => new Date(p.dateMs).toISOString().slice(0, 10));
    expect(dates).not.toContain('2023-07-04');
    expect(dates).toContain('2023-07-05');
  });

  it('reads incrementally with observation_start', async () => {
    const sinceMs = Date.UTC(2024, 5, 3);
    const points = await source().observations('VIXCLS', sinceMs);
    expect(standIn.requests[0]?.query['observation_start']).toBe('2024-06-03');
    expect(points).toEqual(expected('VIXCLS', sinceMs));
    expect(points.length).toBeGreaterThanOrEqual(4); // Monday 3rd to Friday 7th, less any "." day
    expect(points.every((p) => p.dateMs >= sinceMs && p.dateMs <= Date.UTC(2024, 5, 7))).toBe(true);
  });

  it('leaves out the day of a mid-day since', async () => {
    const points = await source().observations('DGS10', Date.UTC(2024, 5, 6, 12));
    expect(points.map((p) => p.dateMs)).toEqual(expected('DGS10', Date.UTC(2024, 5, 7)).map((p) => p.dateMs));
  });

  it('follows offset/limit pages to the end', async () => {
    const points = await source({ pageSize: 100 }).observations('SP500', Date.UTC(2023, 0, 1));
    const raw = observationsOf(FRED_SERIES.get('SP500')!, Date.UTC(2023, 0, 1), NOW_MS);
    expect(points).toEqual(expected('SP500', Date.UTC(2023, 0, 1)));
    expect(standIn.requests.map((r) => r.query['offset'])).toEqual(
      Array.from({ length: Math.ceil(raw.length / 100) }, (_, i) => String(i * 100)),
    );
  });

  it('answers an empty page with no points', async () => {
    standIn.faults.add({ times: 1, action: { type: 'empty-page' } });
    await expect(source().observations('SP500')).resolves.toEqual([]);
    expect(standIn.requests).toHaveLength(1);
  });

  it('rejects an unknown series with FRED\'s message', async () => {
    const error = await source().observations('NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRejectedError);
    expect(error).toMatchObject({ source: 'fred', status: 400, detail: 'Bad Request.  The series does not exist.' });
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('the API key', () => {
  const otherKey = FRED_OTHER_KEY;

  it('is refused when wrong, and appears in no message, URL or cause', async () => {
    const error = await source({ apiKey: otherKey }).observations('SP500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRejectedError);
    expect(error).toMatchObject({ status: 400, detail: expect.stringContaining('api_key is not registered') });
    expect(standIn.requests[0]?.query['api_key']).toBe(otherKey);
    const rendered = [String(error), (error as Error).stack, JSON.stringify(error), (error as SourceRejectedError).url].join('\n');
    expect(rendered).not.toContain(otherKey);
    expect((error as SourceRejectedError).url).toContain('api_key=***');
  });

  it('stays out of the messages of an outage and a malformed body', async () => {
    standIn.faults.add({ times: 3, action: { type: 'status', status: 503 } });
    const outage = await source().observations('SP500').catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(SourceUnavailableError);
    standIn.faults.add({ times: 1, action: { type: 'malformed-body' } });
    const malformed = await source().observations('SP500').catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(MalformedResponseError);
    for (const error of [outage, malformed, (outage as Error).cause]) {
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(FRED_STAND_IN_KEY);
    }
  });

  it('is required', () => {
    expect(() => createFredSource({ apiKey: '' })).toThrow(/API key/);
  });
});

describe('faults', () => {
  it("waits out a 429's Retry-After", async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
    const started = Date.now();
    const points = await source().observations('DGS10', Date.UTC(2024, 5, 1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(points).toEqual(expected('DGS10', Date.UTC(2024, 5, 1)));
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('tries again after a 5xx', async () => {
    standIn.faults.add({ times: 1, action: { type: 'status', status: 500 } });
    await expect(source().observations('DGS10', Date.UTC(2024, 5, 1))).resolves.toEqual(expected('DGS10', Date.UTC(2024, 5, 1)));
    expect(standIn.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it('fails a page mid-way through paging only after its own tries', async () => {
    standIn.faults.add({ when: { query: { offset: '100' } }, times: 1, action: { type: 'status', status: 502 } });
    const points = await source({ pageSize: 100 }).observations('SP500', Date.UTC(2023, 6, 1));
    expect(points).toEqual(expected('SP500', Date.UTC(2023, 6, 1)));
  });

  it.each(['status', 'socket'] as const)('reports a persistent outage (%s) as SourceUnavailableError', async (mode) => {
    standIn.faults.add({ action: { type: 'outage', mode } });
    const error = await source().observations('SP500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error).toMatchObject({ source: 'fred' });
    expect(standIn.requests).toHaveLength(3);
  });

  it('reports a truncated body as MalformedResponseError', async () => {
    standIn.faults.add({ times: 1, action: { type: 'malformed-body' } });
    await expect(source().observations('SP500')).rejects.toBeInstanceOf(MalformedResponseError);
    expect(standIn.requests).toHaveLength(1);
  });
});
