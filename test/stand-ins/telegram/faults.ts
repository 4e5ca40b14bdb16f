/**
 * Fault injection for the Telegram stand-in. Rules are checked in insertion order; the first
 * matching rule with uses left applies and loses one use.
 */
import type { FaultAction, FaultController, FaultHandle, FaultRule } from './types.ts';

interface FaultEntry {
  rule: FaultRule;
  remaining: number;
}

/**
 * The fault rules of one stand-in.
 * @example
 * const faults = new TelegramFaultRegistry();
 * faults.add({ when: { method: 'sendMessage' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
 */
export class TelegramFaultRegistry implements FaultController {
  private entries: FaultEntry[] = [];

  add(rule: FaultRule): FaultHandle {
    validateRule(rule);
    const entry: FaultEntry = { rule, remaining: rule.times ?? Infinity };
    this.entries.push(entry);
    return {
      remaining: () => entry.remaining,
      remove: () => {
        entry.remaining = 0;
        this.entries = this.entries.filter((other) => other !== entry);
      },
    };
  }

  clear(): void {
    for (const entry of this.entries) entry.remaining = 0;
    this.entries = [];
  }

  /** The action for a request to this method, if a rule applies; uses up one application. */
  take(method: string): FaultAction | undefined {
    const entry = this.entries.find(
      (candidate) => candidate.remaining > 0 && (candidate.rule.when?.method === undefined || candidate.rule.when.method === method),
    );
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    return entry.rule.action;
  }
}

function validateRule(rule: FaultRule): void {
  const times = rule.times ?? Infinity;
  if (!(times === Infinity || (Number.isInteger(times) && times >= 0))) {
    throw new Error(`fault times must be a non-negative integer or Infinity, got ${rule.times}`);
  }
  const action = rule.action;
  switch (action.type) {
    case 'status':
      if (!(Number.isInteger(action.status) && action.status >= 400 && action.status <= 599)) {
        throw new Error(`fault status must be an HTTP error status (400-599), got ${action.status}`);
      }
      if (action.retryAfterSec !== undefined && !(Number.isInteger(action.retryAfterSec) && action.retryAfterSec >= 0)) {
        throw new Error(`retryAfterSec must be a non-negative integer, got ${action.retryAfterSec}`);
      }
      break;
    case 'stall':
      if (!(Number.isFinite(action.ms) && action.ms >= 0)) throw new Error(`stall ms must be a non-negative number, got ${action.ms}`);
      break;
    case 'outage':
      break;
  }
}
