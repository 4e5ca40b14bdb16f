/**
 * Strategy parameters from the command line: `--params` lists, `--grid` ranges and lists, the
 * cartesian expansion, and validation against each strategy's schema (coercion, defaults, and
 * messages that name the parameter and the strategy).
 */
import { describe, expect, it } from 'vitest';
import { StrategyInputError } from '../../../lib/backtest/errors.ts';
import { expandGrid, gridParamSets, parseGrid, parseParamList, validateParams } from '../../../lib/backtest/params-spec.ts';
import { STRATEGIES, type Strategy } from '../../../lib/backtest/strategies/index.ts';

function strategy(name: string): Strategy {
  const found = STRATEGIES.get(name);
  if (!found) throw new Error(`test setup: no strategy ${name}`);
  return found;
}

/** The error `work` throws; fails the test when it does not throw. */
function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('parseParamList', () => {
  it.each([
    ['empty flag', undefined, {}],
    ['empty string', '', {}],
    ['one pair', 'fast=10', { fast: '10' }],
    ['spaces and empty items are ignored', ' fast = 10 , slow=30,,mode=long-short ', { fast: '10', slow: '30', mode: 'long-short' }],
    ['only the first = splits', 'a=b=c', { a: 'b=c' }],
    ['an empty value is kept (validation rejects it later)', 'fast=', { fast: '' }],
  ])('%s: %j', (_name, spec, expected) => {
    const parsed = parseParamList(spec);

    expect(parsed).toEqual(expected);
  });

  it.each([
    ['no =', 'fast', 'invalid parameter "fast": expected name=value'],
    ['no name', '=3', 'invalid parameter "=3": expected name=value'],
  ])('%s: %j is a StrategyInputError naming the item', (_name, spec, message) => {
    const error = thrown(() => parseParamList(spec));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message).toBe(message);
  });
});

describe('parseGrid', () => {
  it.each([
    ['integer range with a step', 'fast=5..15:5', { fast: [5, 10, 15] }],
    ['step defaults to 1', 'x=-2..2', { x: [-2, -1, 0, 1, 2] }],
    ['from = to is one value', 'x=5..5', { x: [5] }],
    ['a step that overshoots stops before to', 'x=1..2:0.3', { x: [1, 1.3, 1.6, 1.9] }],
    ['0.1 steps without float drift', 'k=0.1..1:0.1', { k: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] }],
    ['0.05 steps reach the end exactly', 'k=0.9..1:0.05', { k: [0.9, 0.95, 1] }],
    ['a | list stays as strings', 'mode=long|long-short', { mode: ['long', 'long-short'] }],
    ['a | list of numbers stays as strings (coerced on validation)', 'fast=5|8', { fast: ['5', '8'] }],
    [
      'several parameters',
      'k=0.1..0.3:0.1,fast=5..15:5,mode=long|long-short',
      { k: [0.1, 0.2, 0.3], fast: [5, 10, 15], mode: ['long', 'long-short'] },
    ],
  ])('%s: %j', (_name, spec, expected) => {
    const grid = parseGrid(spec);

    expect(grid).toEqual(expected);
  });

  it('0.1 steps give the same doubles as the literals (no 0.30000000000000004)', () => {
    const { k } = parseGrid('k=0..0.5:0.1');

    expect(k).toStrictEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(k!.map(String)).toEqual(['0', '0.1', '0.2', '0.3', '0.4', '0.5']);
  });

  it.each([
    ['to below from', 'x=10..5', 'invalid grid range for x: "10..5" (use from..to:step with from ≤ to, step > 0)'],
    ['zero step', 'x=5..10:0', 'invalid grid range for x: "5..10:0" (use from..to:step with from ≤ to, step > 0)'],
    ['bad item among good ones', 'fast=5..15:5,slow=40..20:10', 'invalid grid range for slow: "40..20:10" (use from..to:step with from ≤ to, step > 0)'],
  ])('%s: %j is a StrategyInputError naming the parameter and the range', (_name, spec, message) => {
    const error = thrown(() => parseGrid(spec));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message).toBe(message);
  });

  it('a negative step is a bad range too', () => {
    const error = thrown(() => parseGrid('x=5..10:-1'));

    expect(error.message).toBe('invalid grid range for x: "5..10:-1" (use from..to:step with from ≤ to, step > 0)');
  });
});

describe('expandGrid', () => {
  it('gives the cartesian product, the first parameter varying slowest, over the fixed values', () => {
    const combos = expandGrid({ a: [1, 2], b: ['x', 'y', 'z'] }, { c: '9' });

    expect(combos).toEqual([
      { c: '9', a: 1, b: 'x' }, { c: '9', a: 1, b: 'y' }, { c: '9', a: 1, b: 'z' },
      { c: '9', a: 2, b: 'x' }, { c: '9', a: 2, b: 'y' }, { c: '9', a: 2, b: 'z' },
    ]);
  });

  it.each([
    ['3 × 2 × 2', 'fast=5..15:5,slow=20..30:10,mode=long|long-short', 12],
    ['10 × 10', 'fast=1..10,slow=11..20', 100],
    ['one value each', 'fast=5,slow=20', 1],
  ])('counts %s = %i combinations, all distinct', (_name, spec, count) => {
    const combos = expandGrid(parseGrid(spec));

    expect(combos).toHaveLength(count);
    expect(new Set(combos.map((c) => JSON.stringify(c))).size).toBe(count);
  });

  it('a grid value overrides a fixed value of the same name', () => {
    const combos = expandGrid({ fast: [5] }, { fast: '7', slow: '9' });

    expect(combos).toEqual([{ fast: 5, slow: '9' }]);
  });

  it.each([
    ['no grid: just the fixed values', {}, [{ slow: '9' }]],
    ['a parameter with no values: nothing', { fast: [] as number[] }, []],
  ])('%s', (_name, grid, expected) => {
    const combos = expandGrid(grid, { slow: '9' });

    expect(combos).toEqual(expected);
  });
});

describe('validateParams', () => {
  it.each([
    ['strings are coerced to numbers', 'sma-cross', { fast: '5', slow: '20' }, { fast: 5, slow: 20, mode: 'long' }],
    ['defaults fill what is not given', 'sma-cross', {}, { fast: 10, slow: 30, mode: 'long' }],
    ['numbers pass as they are', 'ema-cross', { fast: 3, slow: 7, mode: 'long-short' }, { fast: 3, slow: 7, mode: 'long-short' }],
    ['a positive real is coerced', 'bollinger-breakout', { k: '1.5' }, { period: 20, k: 1.5, mode: 'long' }],
    ['rsi levels', 'rsi-reversion', { lower: '20', upper: '80' }, { period: 14, lower: 20, upper: 80, mode: 'long' }],
    ['donchian', 'donchian-breakout', { period: '55' }, { period: 55, mode: 'long' }],
    ['macd', 'macd', { signal: '5' }, { fast: 12, slow: 26, signal: 5, mode: 'long' }],
  ])('%s (%s)', (_name, name, raw, expected) => {
    const params = validateParams(strategy(name), raw);

    expect(params).toEqual(expected);
  });

  it.each([
    ['unknown parameter names it and the strategy', 'sma-cross', { speed: '3' }, 'unknown parameter speed for sma-cross'],
    ['every unknown parameter is named', 'rsi-reversion', { speed: '3', colour: 'red' }, 'unknown parameter speed, colour for rsi-reversion'],
    ['fast ≥ slow (equal)', 'sma-cross', { fast: '30', slow: '30' }, 'sma-cross parameter fast: fast must be shorter than slow'],
    ['fast ≥ slow (default slow)', 'ema-cross', { fast: '40' }, 'ema-cross parameter fast: fast must be shorter than slow'],
    ['fast ≥ slow (macd)', 'macd', { fast: '26' }, 'macd parameter fast: fast must be shorter than slow'],
    ['lower ≥ upper', 'rsi-reversion', { lower: '80' }, 'rsi-reversion parameter lower: lower must be below upper'],
  ])('%s', (_name, name, raw, message) => {
    const error = thrown(() => validateParams(strategy(name), raw));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message).toBe(message);
  });

  it.each([
    ['not a number', 'sma-cross', { fast: 'abc' }, 'sma-cross parameter fast: '],
    ['not an integer period', 'sma-cross', { fast: '2.5' }, 'sma-cross parameter fast: '],
    ['zero period', 'donchian-breakout', { period: '0' }, 'donchian-breakout parameter period: '],
    ['non-positive k', 'bollinger-breakout', { k: '0' }, 'bollinger-breakout parameter k: '],
    ['level above 100', 'rsi-reversion', { upper: '101' }, 'rsi-reversion parameter upper: '],
    ['unknown mode', 'sma-cross', { mode: 'short' }, 'sma-cross parameter mode: '],
  ])('an invalid value names the strategy and the parameter: %s', (_name, name, raw, prefix) => {
    const error = thrown(() => validateParams(strategy(name), raw));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message.startsWith(prefix)).toBe(true);
    expect(error.message.length).toBeGreaterThan(prefix.length);
  });
});

describe('gridParamSets', () => {
  it('skips and counts the combinations the strategy rejects (fast ≥ slow)', () => {
    const grid = parseGrid('fast=5..15:5,slow=10..20:5');

    const { paramSets, skipped } = gridParamSets(strategy('sma-cross'), grid);

    // (5,10) (5,15) (5,20) (10,15) (10,20) (15,20) valid; (10,10) (15,10) (15,15) rejected.
    expect(paramSets).toEqual([
      { fast: 5, slow: 10, mode: 'long' }, { fast: 5, slow: 15, mode: 'long' }, { fast: 5, slow: 20, mode: 'long' },
      { fast: 10, slow: 15, mode: 'long' }, { fast: 10, slow: 20, mode: 'long' }, { fast: 15, slow: 20, mode: 'long' },
    ]);
    expect(skipped).toBe(3);
  });

  it('merges fixed parameters into every set and validates them', () => {
    const { paramSets, skipped } = gridParamSets(strategy('ema-cross'), parseGrid('fast=2|3'), { slow: '5', mode: 'long-short' });

    expect(paramSets).toEqual([{ fast: 2, slow: 5, mode: 'long-short' }, { fast: 3, slow: 5, mode: 'long-short' }]);
    expect(skipped).toBe(0);
  });

  it.each([
    ['in the grid', 'fast=5..15:5,speed=1|2', {}],
    ['in the fixed parameters', 'fast=5..15:5', { speed: '1' }],
  ])('an unknown parameter %s fails at once, naming it', (_name, spec, fixed) => {
    const error = thrown(() => gridParamSets(strategy('sma-cross'), parseGrid(spec), fixed));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message).toBe('unknown parameter speed for sma-cross');
  });

  it.each([
    ['every fast ≥ slow', 'fast=30..40:10,slow=10..20:10', 'no valid parameter set in the grid (sma-cross parameter fast: fast must be shorter than slow)'],
    ['a parameter with no values', '', 'no valid parameter set in the grid (empty grid)'],
  ])('an all-invalid grid fails: %s', (_name, spec, message) => {
    const grid = spec ? parseGrid(spec) : { fast: [] };

    const error = thrown(() => gridParamSets(strategy('sma-cross'), grid));

    expect(error).toBeInstanceOf(StrategyInputError);
    expect(error.message).toBe(message);
  });
});
