/** Shared pieces of the alert tests: a lake, a pinned clock, a silent logger and a recording sender. */
import { fixedClock } from '../../../lib/clock/index.ts';
import type { Alert, AlertMessageKind, AlertSender, AlertSource } from '../../../lib/alerts/index.ts';
import type { JobLogger } from '../../../lib/logging/types.ts';
import type { LakeBackend } from '../../harness/lake-stores.ts';

export const T0 = Date.UTC(2024, 5, 1, 0, 30);
export const HOUR_MS = 3_600_000;

export const silentLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function run(n: number, job = 'validate'): AlertSource {
  return { job, runId: `${job}-run-${n}` };
}

export interface SentMessage {
  kind: AlertMessageKind;
  keys: string[];
  counts: number[];
}

/** A sender that records every message; `failing = true` simulates an outage. */
export function recordingSender(): AlertSender & { messages: SentMessage[]; failing: boolean; calls: number } {
  const sender = {
    messages: [] as SentMessage[],
    failing: false,
    calls: 0,
    send(alerts: readonly Alert[], kind: AlertMessageKind): Promise<void> {
      sender.calls += 1;
      if (sender.failing) return Promise.reject(new Error('telegram unreachable'));
      sender.messages.push({ kind, keys: alerts.map((a) => a.key), counts: alerts.map((a) => a.count) });
      return Promise.resolve();
    },
  };
  return sender;
}

/** An empty lake, a clock at T0 and the deps every engine call takes. */
export async function alertFixture(backend: LakeBackend) {
  const { store } = await backend.open();
  const clock = fixedClock(T0);
  const sender = recordingSender();
  return { store, clock, sender, deps: { store, clock, logger: silentLogger }, deliveryDeps: { store, clock, logger: silentLogger, sender } };
}
