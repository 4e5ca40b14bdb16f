/**
 * A FRED API stand-in on loopback: daily DTWEXBGS, SP500, VIXCLS and DGS10 with `.` on holidays,
 * FRED's paging and error JSON, and injectable faults.
 */
export { startFredStandIn, FRED_STAND_IN_KEY, type FredStandIn, type FredStandInOptions } from './server.ts';
export { FRED_SERIES, observationsOf, valueOf } from './series.ts';
export type { HttpFaultAction, HttpFaultMatch, HttpFaultRule, HttpRecordedRequest } from '../shared/json-stand-in.ts';
