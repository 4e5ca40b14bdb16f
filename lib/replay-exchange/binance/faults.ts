/**
 * Fault injection: the rules a test adds to make the exchange misbehave, and the answers a
 * `status` fault sends. Rules are checked in insertion order; the first matching rule with
 * uses left applies and loses one use. Klines-only actions (`malformed-rows`, `overlap`) match
 * only klines requests, so a rule without `when` can still target "the next klines page".
 */
import { RuleRegistry } from '../shared/rule-registry.ts';
import { STATUS_CODES } from 'node:http';
import { JSON_CONTENT_TYPE, jsonReply, type HttpReply } from './route.ts';
import type { FaultAction, FaultController, FaultRule } from './types.ts';

/** The parts of a request a rule can match on. */
export interface FaultTarget {
  path: string;
  query: Record<string, string>;
  /** True for the klines endpoints, the only ones row-level faults apply to. */
  servesKlines: boolean;
}

/** What a `status` fault needs to know to write Binance's texts. */
export interface StatusFaultContext {
  weightLimitPerMinute: number;
  secondsToNextMinute: number;
  wallNowMs: number;
}

/** 418 bans last two minutes unless the rule says otherwise; Binance escalates from there. */
const DEFAULT_BAN_SEC = 120;

/** Binance's answer to clients from restricted locations (HTTP 451). */
const RESTRICTED_LOCATION_MSG =
  "Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error.";

/**
 * The fault rules of one stand-in.
 * @example
 * const faults = new FaultRegistry();
 * faults.add({ when: { path: '/api/v3/klines' }, times: 1, action: { type: 'status', status: 503 } });
 */
export class FaultRegistry extends RuleRegistry<FaultRule, FaultAction, FaultTarget> implements FaultController {
  constructor() {
    super(matches, validateRule);
  }
}

/**
 * The answer of a `status` fault: Binance's own bodies for 429, 418 and 451, the caller's body
 * when given, otherwise the HTML page a load balancer or CDN sends.
 * @example statusFaultReply({ type: 'status', status: 503 }, context).contentType // 'text/html'
 */
export function statusFaultReply(action: Extract<FaultAction, { type: 'status' }>, context: StatusFaultContext): HttpReply {
  const retryAfterSec =
    action.retryAfterSec ??
    (action.status === 429 ? context.secondsToNextMinute : action.status === 418 ? DEFAULT_BAN_SEC : undefined);
  const reply = action.body !== undefined ? customReply(action.status, action.body) : defaultReply(action.status, context, retryAfterSec);
  if (retryAfterSec !== undefined) reply.headers = { ...reply.headers, 'Retry-After': String(retryAfterSec) };
  return reply;
}

/**
 * Binance's -1003 body for an exceeded weight budget.
 * @example tooManyRequestsReply(6000).body // '{"code":-1003,"msg":"Too many requests; current limit of IP is 6000 ..."}'
 */
export function tooManyRequestsReply(limitPerMinute: number): HttpReply {
  return jsonReply(429, {
    code: -1003,
    msg:
      `Too many requests; current limit of IP is ${limitPerMinute} requests per minute. ` +
      'Please use the websocket for live updates to avoid polling the API.',
  });
}

function defaultReply(status: number, context: StatusFaultContext, retryAfterSec: number | undefined): HttpReply {
  if (status === 429) return tooManyRequestsReply(context.weightLimitPerMinute);
  if (status === 418) {
    const bannedUntilMs = context.wallNowMs + (retryAfterSec ?? DEFAULT_BAN_SEC) * 1000;
    return jsonReply(418, {
      code: -1003,
      msg: `Way too many requests; IP banned until ${bannedUntilMs}. Please use the websocket for live updates to avoid bans.`,
    });
  }
  if (status === 451) return jsonReply(451, { code: 0, msg: RESTRICTED_LOCATION_MSG });
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    contentType: 'text/html',
  };
}

/** A caller-given body is JSON if it looks like JSON, otherwise sent as an HTML page. */
function customReply(status: number, body: string): HttpReply {
  const looksJson = /^\s*[[{]/.test(body);
  return { status, body, contentType: looksJson ? JSON_CONTENT_TYPE : 'text/html' };
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  const klinesOnly = rule.action.type === 'malformed-rows' || rule.action.type === 'overlap';
  if (klinesOnly && !target.servesKlines) return false;
  const when = rule.when;
  if (when === undefined) return true;
  if (when.path !== undefined) {
    const pathMatches = typeof when.path === 'string' ? when.path === target.path : when.path.test(target.path);
    if (!pathMatches) return false;
  }
  if (when.symbol !== undefined && when.symbol !== target.query['symbol']) return false;
  if (when.interval !== undefined && when.interval !== target.query['interval']) return false;
  return true;
}

function validateRule(rule: FaultRule): void {
  const action = rule.action;
  switch (action.type) {
    case 'status':
      if (!(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)) {
        throw new Error(`fault status must be an HTTP status code, got ${action.status}`);
      }
      break;
    case 'stall':
      if (!(Number.isFinite(action.ms) && action.ms >= 0)) throw new Error(`stall ms must be a non-negative number, got ${action.ms}`);
      break;
    case 'overlap':
      if (!(Number.isInteger(action.candles) && action.candles > 0)) {
        throw new Error(`overlap candles must be a positive integer, got ${action.candles}`);
      }
      break;
    case 'malformed-rows':
      if (action.rows.length === 0) throw new Error('malformed-rows needs at least one row kind');
      break;
    case 'malformed-body':
    case 'empty-page':
      break;
  }
}
