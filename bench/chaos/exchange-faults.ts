/**
 * Group 1: the exchange misbehaves during the update job. The Binance stand-in's fault API
 * injects the fault into the real ccxt client's requests; the lake is a local folder. Either the
 * same run absorbs it (retries, Retry-After honoured) or the series fails, is reported, and the
 * next run (one hour later on the market clock) fills the hole.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileObjectStore } from '../../lib/object-store/file.ts';
import { startBinanceStandIn, type BinanceStandIn, type FaultHandle, type FaultRule } from '../../lib/replay-exchange/binance/index.ts';
import type { UpdateResult } from '../../lib/update/types.ts';
import { auditCandles, candleLoss } from './ground-truth.ts';
import type { Scenario, ScenarioOutcome } from './types.ts';
import { HOUR_MS, updateRunner } from './update-harness.ts';

const KLINES = '/api/v3/klines';
/** A finite count (so uses can be counted) larger than any run makes; the scenario clears the rule. */
const UNTIL_CLEARED = 10_000;

interface ExchangeFaultPlan {
  id: string;
  title: string;
  description: string;
  rules: Array<FaultRule & { label: string; times: number }>;
  /** The fault outlives the first run's retries: the series fails, and the next run must fill it. */
  persistent?: boolean;
}

const PLANS: ExchangeFaultPlan[] = [
  {
    id: 'exchange-429',
    title: 'Binance 429 with Retry-After',
    description: 'Two klines requests answered 429 (Binance\'s -1003 body, `Retry-After: 1`). The client must hold every request for the Retry-After and retry.',
    rules: [{ label: '429', when: { path: KLINES, symbol: 'BTCUSDT' }, times: 2, action: { type: 'status', status: 429, retryAfterSec: 1 } }],
  },
  {
    id: 'exchange-418',
    title: 'Binance 418 IP ban (short)',
    description: 'One klines request answered 418 with `Retry-After: 1` (an IP ban within `maxRetryAfterMs`): waited out, then retried.',
    rules: [{ label: '418', when: { path: KLINES, symbol: 'ETHUSDT' }, times: 1, action: { type: 'status', status: 418, retryAfterSec: 1 } }],
  },
  {
    id: 'exchange-5xx',
    title: 'Binance 500/502/503',
    description: 'A 500, a load balancer\'s 502 page and a 503 on three different series: retried with backoff.',
    rules: [
      { label: '500', when: { path: KLINES, symbol: 'BTCUSDT', interval: '1h' }, times: 1, action: { type: 'status', status: 500 } },
      { label: '502', when: { path: KLINES, symbol: 'ETHUSDT', interval: '15m' }, times: 1, action: { type: 'status', status: 502 } },
      { label: '503', when: { path: KLINES, symbol: 'BTCUSDT', interval: '15m' }, times: 1, action: { type: 'status', status: 503 } },
    ],
  },
  {
    id: 'exchange-stall',
    title: 'Binance stall past the client timeout',
    description: 'Two klines answers held 2.5 s against a 1.5 s client timeout: the request times out and is retried.',
    rules: [{ label: 'stall', when: { path: KLINES }, times: 2, action: { type: 'stall', ms: 2_500 } }],
  },
  {
    id: 'exchange-malformed',
    title: 'Binance malformed bodies',
    description: 'Two klines answers are 200 with truncated, unparseable JSON: retried, never written.',
    rules: [{ label: 'malformed body', when: { path: KLINES }, times: 2, action: { type: 'malformed-body' } }],
  },
  {
    id: 'exchange-5xx-persistent',
    title: 'Binance 500 on one series for a whole run',
    description: 'After a clean run, every klines request of BTC/USDT 1h answers 500 for the next run (6 h later): after 5 tries that series fails (run `partial`, a finding), the others are stored. The fault ends; the next run (market clock +1 h) must fill the hole.',
    rules: [{ label: '500', when: { path: KLINES, symbol: 'BTCUSDT', interval: '1h' }, times: UNTIL_CLEARED, action: { type: 'status', status: 500 } }],
    persistent: true,
  },
  {
    id: 'exchange-418-long',
    title: 'Binance 418 ban longer than maxRetryAfterMs',
    description: 'After a clean run, ETH/USDT klines answer 418 with `Retry-After: 3600`: the series must fail at once (not hammer a banned IP, not wait an hour). The ban lifts; the next run fills the hole.',
    rules: [{ label: '418 (1 h)', when: { path: KLINES, symbol: 'ETHUSDT' }, times: UNTIL_CLEARED, action: { type: 'status', status: 418, retryAfterSec: 3_600 } }],
    persistent: true,
  },
];

export const exchangeScenarios: Scenario[] = PLANS.map((plan) => ({
  id: plan.id,
  group: '1 exchange',
  title: plan.title,
  description: plan.description,
  run: async () => {
    const standIn = await startBinanceStandIn();
    try {
      return await runPlan(plan, standIn);
    } finally {
      await standIn.close();
    }
  },
}));

async function runPlan(plan: ExchangeFaultPlan, standIn: BinanceStandIn): Promise<ScenarioOutcome> {
  const dir = await mkdtemp(join(tmpdir(), `candlelake-chaos-${plan.id}-`));
  const store = new FileObjectStore(dir);
  const update = updateRunner(store, `file://${dir}`, standIn.url, (now) => standIn.setNow(now));
  if (plan.persistent) {
    // Yesterday's clean run, so the fault opens a hole after stored history, as it would in production.
    const clean = await update.run();
    if (clean.outcome !== 'succeeded') throw new Error(`the clean run before the fault ended ${clean.outcome}`);
    update.clock.advance(6 * HOUR_MS);
  }
  const handles = plan.rules.map((rule) => ({ rule, handle: standIn.faults.add(rule) }));
  const started = Date.now();
  const first = await update.run();
  const faults = countInjected(handles);
  const notes: string[] = [];
  let recovery: ScenarioOutcome['recovery'] = 'same run (retries)';
  let detected = first.details.weight.retries > 0;
  let detection = `${first.details.weight.retries} retries in the run record`;
  let last: UpdateResult = first;

  if (plan.persistent) {
    standIn.faults.clear();
    const failed = first.details.failures.map((f) => `${f.symbol}${f.timeframe ? ` ${f.timeframe}` : ''}`);
    detected = first.outcome === 'partial' && failed.length > 0;
    detection = `run ${first.outcome}, failed: ${failed.join(', ') || 'none'}; findings: ${[...new Set(first.details.findings.map((f) => f.key))].join(', ') || 'none'}`;
    notes.push(`faulted run: ${first.details.failures[0]?.reason ?? 'no failure'}`);
    update.clock.advance(HOUR_MS);
    last = await update.run();
    recovery = 'next run';
  }
  const recoveredAtMs = Date.now();
  const audit = await auditCandles(store, standIn.url, update.windows());
  if (audit.firstProblem) notes.push(audit.firstProblem);
  const recovered = last.outcome === 'succeeded' && audit.missing === 0;
  return {
    faults,
    detected,
    detection,
    recovered,
    recovery,
    timeToRecoverMs: recovered ? recoveredAtMs - started : null,
    ...candleLoss(audit),
    notes,
  };
}

function countInjected(handles: Array<{ rule: { label: string; times: number }; handle: FaultHandle }>): Record<string, number> {
  const faults: Record<string, number> = {};
  for (const { rule, handle } of handles) faults[rule.label] = (faults[rule.label] ?? 0) + rule.times - handle.remaining();
  return faults;
}
