/**
 * Strategy parameters from the command line: `--params fast=10,slow=30,mode=long-short` and
 * grids `--grid fast=5..50:5,slow=20..200:10,mode=long|long-short`. Validation against each
 * strategy's schema happens here too, so every message names the strategy and the parameter.
 */
import { StrategyInputError } from './errors.ts';
import type { Strategy } from './strategies/types.ts';
import type { StrategyParams } from './types.ts';

/**
 * @example parseParamList('fast=10,slow=30') // { fast: '10', slow: '30' }
 */
export function parseParamList(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec) return out;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new StrategyInputError(`invalid parameter "${part}": expected name=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function expandValues(name: string, spec: string): Array<string | number> {
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(-?\d+(?:\.\d+)?))?$/.exec(spec);
  if (range) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
    if (!(step > 0) || to < from) throw new StrategyInputError(`invalid grid range for ${name}: "${spec}" (use from..to:step with from ≤ to, step > 0)`);
    const values: number[] = [];
    // Count steps instead of adding floats, so 0.1 steps do not drift.
    for (let i = 0; from + i * step <= to + 1e-9; i += 1) values.push(Number((from + i * step).toPrecision(12)));
    return values;
  }
  return spec.split('|').map((v) => v.trim()).filter(Boolean);
}

/**
 * Parses a grid into values per parameter.
 * @example parseGrid('fast=5..15:5,mode=long|long-short') // { fast: [5, 10, 15], mode: ['long', 'long-short'] }
 */
export function parseGrid(spec: string): Record<string, Array<string | number>> {
  const grid: Record<string, Array<string | number>> = {};
  for (const [name, values] of Object.entries(parseParamList(spec))) grid[name] = expandValues(name, values);
  return grid;
}

/** Every combination of the grid's values, merged over `fixed`. */
export function expandGrid(grid: Record<string, Array<string | number>>, fixed: Record<string, string> = {}): Array<Record<string, string | number>> {
  let combos: Array<Record<string, string | number>> = [{ ...fixed }];
  for (const [name, values] of Object.entries(grid)) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value })));
  }
  return combos;
}

function describeIssues(strategy: Strategy, error: { issues: Array<{ path: PropertyKey[]; message: string; code: string; keys?: string[] }> }): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown parameter ${issue.keys?.join(', ')} for ${strategy.name}`;
      return `${strategy.name} parameter ${issue.path.map(String).join('.') || '(params)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates raw parameters against the strategy; throws {@link StrategyInputError} naming the problem.
 * @example validateParams(smaCross, { fast: '10', slow: '30' }) // { fast: 10, slow: 30, mode: 'long' }
 */
export function validateParams(strategy: Strategy, raw: Record<string, string | number>): StrategyParams {
  const parsed = strategy.params.safeParse(raw);
  if (!parsed.success) throw new StrategyInputError(describeIssues(strategy, parsed.error as never));
  return parsed.data as StrategyParams;
}

/**
 * Validated parameter sets of a grid; combinations the strategy rejects (fast ≥ slow) are
 * skipped and counted, but a grid naming an unknown parameter fails at once.
 */
export function gridParamSets(strategy: Strategy, grid: Record<string, Array<string | number>>, fixed: Record<string, string> = {}) {
  const valid: StrategyParams[] = [];
  let skipped = 0;
  let firstProblem: string | undefined;
  for (const combo of expandGrid(grid, fixed)) {
    try {
      valid.push(validateParams(strategy, combo));
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith('unknown parameter')) throw error;
      skipped += 1;
      firstProblem ??= message;
    }
  }
  if (valid.length === 0) throw new StrategyInputError(`no valid parameter set in the grid (${firstProblem ?? 'empty grid'})`);
  return { paramSets: valid, skipped };
}
