/**
 * Runs scenarios one after another (they share a 2-core machine and real timeouts; running them
 * in parallel would make timings meaningless) and collects their results.
 */
import { cpus } from 'node:os';
import { passes, type ChaosReport } from './report.ts';
import type { ChaosContext, Scenario, ScenarioResult } from './types.ts';

export async function runScenario(scenario: Scenario, ctx: ChaosContext): Promise<ScenarioResult> {
  const started = Date.now();
  ctx.log(`chaos: ${scenario.id} …`);
  let result: Omit<ScenarioResult, 'ok'>;
  try {
    const outcome = await scenario.run(ctx);
    result = { id: scenario.id, group: scenario.group, title: scenario.title, seconds: (Date.now() - started) / 1000, ...outcome };
  } catch (error) {
    result = {
      id: scenario.id, group: scenario.group, title: scenario.title, seconds: (Date.now() - started) / 1000,
      faults: {}, detected: false, detection: '', recovered: false, recovery: 'none', timeToRecoverMs: null,
      lost: 0, duplicates: 0, unit: 'candles', checked: 0, notes: [], error: (error as Error).stack ?? String(error),
    };
  }
  const ok = passes(result);
  ctx.log(`chaos: ${scenario.id} ${ok ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(1)} s${result.error ? `: ${result.error}` : ''}`);
  return { ...result, ok };
}

/**
 * @example const report = await runChaos(allScenarios.filter((s) => s.id === 'exchange-429'), ctx);
 */
export async function runChaos(scenarios: readonly Scenario[], ctx: ChaosContext): Promise<ChaosReport> {
  const started = Date.now();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, ctx));
  return {
    at: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    ok: results.every((r) => r.ok),
    machine: { node: process.version, cpus: cpus().length },
    scenarios: results,
  };
}
