import { describe, expect, it } from 'vitest';
import { crossover, crossunder } from '../../../lib/indicators/index.ts';

const NaN_ = Number.NaN;

describe('crossover', () => {
  it.each([
    ['below then above', [1, 3], [2, 2], 1, true],
    ['equal on the previous bar', [2, 3], [2, 2], 1, false],
    ['equal on this bar', [1, 2], [2, 2], 1, false],
    ['already above', [3, 4], [2, 2], 1, false],
    ['crossing down', [3, 1], [2, 2], 1, false],
    ['NaN on the previous bar', [NaN_, 3], [2, 2], 1, false],
    ['NaN on this bar', [1, NaN_], [2, 2], 1, false],
    ['NaN in b', [1, 3], [2, NaN_], 1, false],
    ['bar 0 has no previous bar', [1, 3], [2, 2], 0, false],
    ['past the end', [1, 3], [2, 2], 2, false],
  ] as const)('%s -> %s', (_name, a, b, i, expected) => {
    expect(crossover(a, b, i)).toBe(expected);
  });

  it.each([
    [[25, 35], 30, true],
    [[30, 35], 30, false],
    [[25, 30], 30, false],
  ] as const)('crossing a fixed level: %j over %d -> %s', (a, level, expected) => {
    expect(crossover(a, level, 1)).toBe(expected);
  });
});

describe('crossunder', () => {
  it.each([
    ['above then below', [3, 1], [2, 2], 1, true],
    ['equal on the previous bar', [2, 1], [2, 2], 1, false],
    ['equal on this bar', [3, 2], [2, 2], 1, false],
    ['crossing up', [1, 3], [2, 2], 1, false],
    ['NaN on this bar', [3, NaN_], [2, 2], 1, false],
    ['bar 0 has no previous bar', [3, 1], [2, 2], 0, false],
  ] as const)('%s -> %s', (_name, a, b, i, expected) => {
    expect(crossunder(a, b, i)).toBe(expected);
  });

  it('works against a fixed level', () => {
    expect(crossunder([75, 65], 70, 1)).toBe(true);
    expect(crossunder([70, 65], 70, 1)).toBe(false);
  });
});
