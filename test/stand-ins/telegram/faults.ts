/**
 * Fault injection for the Telegram stand-in. Rules are checked in insertion order; the first
 * matching rule with uses left applies and loses one use.
 */
import { RuleRegistry } from '../shared/rule-registry.ts';
import type { FaultAction, FaultController, FaultRule } from './types.ts';

/**
 * The fault rules of one stand-in.
 * @example
 * const faults = new TelegramFaultRegistry();
 * faults.add({ when: { method: 'sendMessage' }, times: 1, action: { type: 'status', status: 429, retryAfterSec: 1 } });
 */
export class TelegramFaultRegistry extends RuleRegistry<FaultRule, FaultAction, string> implements FaultController {
  constructor() {
    super((rule, method) => rule.when?.method === undefined || rule.when.method === method, validateRule);
  }
}

function validateRule(rule: FaultRule): void {
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
