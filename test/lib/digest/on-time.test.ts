import { describe, expect, it } from 'vitest';
import { onTimeRate, scheduledSlots } from '../../../lib/digest/on-time.ts';

const at = (iso: string) => Date.parse(iso);

describe('scheduledSlots', () => {
  it('lists the starts of the last days whose grace has passed', () => {
    const slots = scheduledSlots('update', at('2024-06-10T01:00:00Z'), 3);
    // The window opens at 2024-06-07T01:00, after that day's start; 00:30 today still has its hour of grace.
    expect(slots.map((s) => new Date(s).toISOString())).toEqual(['2024-06-08T00:30:00.000Z', '2024-06-09T00:30:00.000Z']);
  });
});

describe('onTimeRate', () => {
  const slots = [at('2024-06-08T00:30:00Z'), at('2024-06-09T00:30:00Z')];
  it.each([
    ['both on time', [['2024-06-08T00:30:04Z', 'succeeded'], ['2024-06-09T00:30:02Z', 'partial']], 100],
    ['one failed', [['2024-06-08T00:30:04Z', 'failed'], ['2024-06-09T00:30:02Z', 'succeeded']], 50],
    ['one late beyond the grace', [['2024-06-08T02:00:00Z', 'succeeded'], ['2024-06-09T00:30:02Z', 'succeeded']], 50],
    ['none', [], 0],
  ] as const)('%s -> %d%%', (_name, runs, rate) => {
    expect(onTimeRate(slots, runs.map(([startedAt, outcome]) => ({ startedAt, outcome })), 'update')).toBe(rate);
  });
  it('no slot yet -> null', () => {
    expect(onTimeRate([], [], 'update')).toBeNull();
  });
});
