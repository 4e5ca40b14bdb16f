/** What a chaos scenario is, what it reports, and what the runner adds to its report. */

export interface ChaosContext {
  /** The S3 emulator (moto) every S3 scenario talks to, through its own fault proxy. */
  awsEndpoint: string;
  /** Progress lines (stderr); results go to the report. */
  log(line: string): void;
}

/** How a scenario came back: the same run absorbed the fault, or a later action repaired it. */
export type RecoveryPath = 'same run (retries)' | 'next run' | 'rerun after kill' | 'supervisor restart' | 'later delivery' | 'lease (no overlap)' | 'none';

export interface ScenarioOutcome {
  /** Injected faults by kind, as counted by the injector (stand-in, proxy, or the kill itself). */
  faults: Record<string, number>;
  detected: boolean;
  /** What noticed the fault (a retry counter, a run record, the supervisor, a pending alert...). */
  detection: string;
  recovered: boolean;
  recovery: RecoveryPath;
  /** Wall time from the first injected fault to the state verified complete again; null if never. */
  timeToRecoverMs: number | null;
  /** Units the ground truth has and the system does not (or has wrong). Must be 0. */
  lost: number;
  /** Units stored or delivered more than once where once is the contract. */
  duplicates: number;
  unit: 'candles' | 'alerts' | 'backtest results';
  /** How many units were compared with the ground truth. */
  checked: number;
  notes: string[];
}

export interface Scenario {
  id: string;
  group: string;
  title: string;
  /** One or two sentences for docs/CHAOS.md: what is injected and how loss is measured. */
  description: string;
  run(ctx: ChaosContext): Promise<ScenarioOutcome>;
}

export interface ScenarioResult extends ScenarioOutcome {
  id: string;
  group: string;
  title: string;
  seconds: number;
  /** Faults were injected and detected, none lost, none duplicated, and the system recovered. */
  ok: boolean;
  /** The scenario itself broke (harness error), which also fails the run. */
  error?: string;
}

/** Sum of a fault-count record. */
export function faultTotal(faults: Record<string, number>): number {
  return Object.values(faults).reduce((a, b) => a + b, 0);
}
