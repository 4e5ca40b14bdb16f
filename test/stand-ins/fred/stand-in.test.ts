/** The FRED stand-in over plain fetch: FRED's envelope, key checks and parameter errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRED_STAND_IN_KEY, startFredStandIn, type FredStandIn } from './index.ts';
import { FRED_UNREGISTERED_KEY } from '../../harness/test-secrets.ts';

let fred: FredStandIn;

beforeAll(async () => {
  fred = await startFredStandIn({ startMs: Date.UTC(2024, 0, 1), now: () => Date.UTC(2024, 0, 10, 9) });
});
afterAll(async () => {
  await fred.close();
});

async function observations(query: Record<string, string>) {
  const res = await fetch(`${fred.url}/fred/series/observations?${new URLSearchParams(query)}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('FRED stand-in', () => {
  it('answers in FRED\'s envelope with "." on New Year\'s Day and no weekends', async () => {
    const reply = await observations({ series_id: 'SP500', api_key: FRED_STAND_IN_KEY, file_type: 'json', limit: '3', offset: '0' });
    const body = JSON.parse(reply.text) as { count: number; offset: number; limit: number; observations: Array<{ date: string; value: string }> };
    expect(body).toMatchObject({ count: 7, offset: 0, limit: 3, sort_order: 'asc', units: 'lin', file_type: 'json' });
    expect(body.observations.map((o) => o.date)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(body.observations[0]).toMatchObject({ value: '.', realtime_start: '2024-01-10' });
    expect(body.observations[1]?.value).toMatch(/^\d+\.\d{2}$/);
  });

  it.each([
    [{}, 'Variable api_key is not set'],
    [{ api_key: 'SHORT' }, 'not a 32 character alpha-numeric lower-case string'],
    [{ api_key: FRED_UNREGISTERED_KEY }, 'not registered'],
    [{ api_key: FRED_STAND_IN_KEY, series_id: 'NOPE' }, 'The series does not exist.'],
    [{ api_key: FRED_STAND_IN_KEY, series_id: 'SP500', limit: '100001' }, 'Variable limit is not between 1 and 100000.'],
    [{ api_key: FRED_STAND_IN_KEY, series_id: 'SP500', observation_start: '2024-13-01' }, 'observation_start is not a valid date'],
  ])('answers %j with 400 and FRED\'s error JSON', async (query, message) => {
    const reply = await observations({ series_id: 'SP500', file_type: 'json', ...query });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual({ error_code: 400, error_message: expect.stringContaining(message) });
  });

  it('answers XML without file_type=json', async () => {
    const reply = await observations({ series_id: 'SP500', api_key: FRED_STAND_IN_KEY });
    expect(reply.type).toContain('xml');
  });
});
