/**
 * An alternative.me Fear & Greed Index stand-in on loopback: a deterministic daily history from a
 * configurable start through the clock's today, the real wire format, and injectable faults.
 */
export { apiErrorBody, startAlternativeMeStandIn, type AlternativeMeStandIn, type AlternativeMeStandInOptions } from './server.ts';
export { classify, fearGreedOn, historyThrough, type FearGreedDay } from './history.ts';
