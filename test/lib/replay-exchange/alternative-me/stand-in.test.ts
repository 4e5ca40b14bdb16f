/** The alternative.me stand-in over plain fetch: the wire format of /fng/. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, fearGreedOn, startAlternativeMeStandIn, type AlternativeMeStandIn } from '../../../../lib/replay-exchange/alternative-me/index.ts';

const NOW_MS = Date.UTC(2024, 5, 10, 18);

let fng: AlternativeMeStandIn;

beforeAll(async () => {
  fng = await startAlternativeMeStandIn({ startMs: Date.UTC(2024, 5, 1), now: () => NOW_MS });
});
afterAll(async () => {
  await fng.close();
});

async function get(query: string) {
  return (await (await fetch(`${fng.url}/fng/?${query}`)).json()) as {
    name: string;
    data: Array<Record<string, string>>;
    metadata: { error: string | null };
  };
}

describe('alternative.me stand-in', () => {
  it('serves the newest day first, strings throughout, time_until_update on the newest only', async () => {
    const body = await get('limit=2&format=json');
    const today = fearGreedOn(Date.UTC(2024, 5, 10));
    expect(body).toEqual({
      name: 'Fear and Greed Index',
      data: [
        { value: String(today.value), value_classification: today.classification, timestamp: String(Date.UTC(2024, 5, 10) / 1000), time_until_update: String(6 * 3600) },
        expect.objectContaining({ timestamp: String(Date.UTC(2024, 5, 9) / 1000) }),
      ],
      metadata: { error: null },
    });
  });

  it('serves everything with limit=0 and one point without a limit', async () => {
    expect((await get('limit=0')).data).toHaveLength(10);
    expect((await get('')).data).toHaveLength(1);
  });

  it('reports a bad limit in metadata.error', async () => {
    expect((await get('limit=abc')).metadata.error).toMatch(/Limit/);
  });

  it.each([[0, 'Extreme Fear'], [24, 'Extreme Fear'], [25, 'Fear'], [50, 'Neutral'], [60, 'Greed'], [90, 'Extreme Greed']])(
    'classifies %i as %s',
    (value, label) => expect(classify(value)).toBe(label),
  );
});
