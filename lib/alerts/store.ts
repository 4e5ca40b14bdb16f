/**
 * Alerts in the lake: one JSON object per key, written with compare-and-swap so two jobs
 * raising the same problem at once never lose a count.
 *
 * ```
 * alerts/open/<safe key>.json                          open, or resolved with a message still due
 * alerts/resolved/date=2024-06-01/<safe key>.json      done (resolved and, if needed, told)
 * ```
 *
 * The layout is built here (not in `lib/lake/keys.ts`) only because this module was written
 * apart; the functions are ready to move there.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PreconditionFailedError } from '../object-store/errors.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { AlertWriteConflictError } from './errors.ts';
import type { Alert } from './types.ts';

export const ALERTS_OPEN_PREFIX = 'alerts/open/';
export const ALERTS_RESOLVED_PREFIX = 'alerts/resolved/';

/** Longest file-name stem kept as is; longer keys are cut and suffixed with a hash. */
const MAX_SAFE_KEY_CHARS = 180;
const CAS_MAX_ATTEMPTS = 25;

/**
 * File-name form of an alert key: `[A-Za-z0-9._-]` kept, every other UTF-8 byte written as
 * `~XX`, so distinct keys never share a name. Over-long names are cut and end in `~~<hash>`.
 * @example alertSafeKey('validate:stale:binance:BTC/USDT:1h') // 'validate~3Astale~3Abinance~3ABTC~2FUSDT~3A1h'
 */
export function alertSafeKey(key: string): string {
  let safe = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(byte);
    safe += /[A-Za-z0-9._-]/.test(ch) ? ch : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (safe.length <= MAX_SAFE_KEY_CHARS) return safe;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${safe.slice(0, MAX_SAFE_KEY_CHARS - 18)}~~${hash}`;
}

/**
 * Lake key of an alert that is open (or resolved with its message still due).
 * @example alertOpenKey('update:fetch-failed') // 'alerts/open/update~3Afetch-failed.json'
 */
export function alertOpenKey(key: string): string {
  return `${ALERTS_OPEN_PREFIX}${alertSafeKey(key)}.json`;
}

/**
 * Lake key of a finished alert, partitioned by the UTC day it resolved. `occurrence` tells
 * apart two occurrences of one key resolved on the same day (`<safe key>~-<firstSeenMs>.json`).
 * @example alertResolvedKey('update:fetch-failed', Date.UTC(2024, 5, 1)) // 'alerts/resolved/date=2024-06-01/update~3Afetch-failed.json'
 */
export function alertResolvedKey(key: string, resolvedAtMs: number, occurrence?: number): string {
  const date = new Date(resolvedAtMs).toISOString().slice(0, 10);
  const suffix = occurrence === undefined ? '' : `~-${occurrence}`;
  return `${ALERTS_RESOLVED_PREFIX}date=${date}/${alertSafeKey(key)}${suffix}.json`;
}

/** `YYYY-MM-DD` of a resolved-alert key, or undefined for any other key. */
export function alertResolvedKeyDate(objectKey: string): string | undefined {
  return /^alerts\/resolved\/date=(\d{4}-\d\d-\d\d)\//.exec(objectKey)?.[1];
}

const severitySchema = z.enum(['INFO', 'WARNING', 'CRITICAL']);
const alertSchema = z.object({
  key: z.string().min(1),
  severity: severitySchema,
  source: z.object({ job: z.string(), runId: z.string() }),
  text: z.string(),
  firstSeenMs: z.number(),
  lastSeenMs: z.number(),
  count: z.number().int().min(1),
  state: z.enum(['open', 'resolved']),
  resolvedAtMs: z.number().optional(),
  delivery: z.object({
    sentMs: z.number().optional(),
    resolvedSentMs: z.number().optional(),
    attempts: z.number().int().min(0),
    lastError: z.string().optional(),
  }),
});

/** An alert as read, with the etag a compare-and-swap write must match. */
export interface StoredAlert {
  alert: Alert;
  etag: string;
}

/** Parses a stored alert body; undefined when it is not a valid alert. */
export function alertParse(body: Uint8Array): Alert | undefined {
  try {
    const parsed = alertSchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return parsed.success ? (parsed.data as Alert) : undefined;
  } catch {
    return undefined;
  }
}

function alertSerialize(alert: Alert): string {
  return `${JSON.stringify(alert, null, 2)}\n`;
}

/** Reads one object; `unreadable` when it exists but is not a valid alert. */
export async function alertRead(
  store: ObjectStore,
  objectKey: string,
): Promise<StoredAlert | { unreadable: true; etag: string } | undefined> {
  const got = await store.get(objectKey);
  if (!got) return undefined;
  const alert = alertParse(got.body);
  return alert ? { alert, etag: got.etag } : { unreadable: true, etag: got.etag };
}

/**
 * Decides the next version of an alert from the current one (undefined: none stored, or
 * unreadable). Returns undefined to leave the object as it is. May be called several times
 * when other writers get in first, so it must not depend on having run before.
 */
export type AlertDecide = (current: StoredAlert | undefined) => Promise<Alert | undefined> | Alert | undefined;

/**
 * Read-decide-write of the open alert at `key` with compare-and-swap (`ifNoneMatch: '*'` to
 * create, `ifMatch` to replace), retried with jitter when another writer got in first.
 * Returns what is stored afterwards.
 * @example await alertUpdate(store, 'update:fetch-failed', (cur) => cur && { ...cur.alert, count: cur.alert.count + 1 });
 */
export async function alertUpdate(store: ObjectStore, key: string, decide: AlertDecide): Promise<StoredAlert | undefined> {
  const objectKey = alertOpenKey(key);
  for (let attempt = 1; attempt <= CAS_MAX_ATTEMPTS; attempt += 1) {
    const read = await alertRead(store, objectKey);
    const current = read && 'alert' in read ? read : undefined;
    const next = await decide(current);
    if (next === undefined) return current;
    try {
      const condition = read === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: read.etag };
      const { etag } = await store.put(objectKey, alertSerialize(next), { ...condition, contentType: 'application/json' });
      return { alert: next, etag };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * Math.min(attempt, 5)));
    }
  }
  throw new AlertWriteConflictError(key, CAS_MAX_ATTEMPTS);
}

/** Every readable object under `alerts/open/` (open, and resolved with a message due). */
export async function alertListOpenFolder(
  store: ObjectStore,
  onUnreadable?: (objectKey: string) => void,
): Promise<StoredAlert[]> {
  const infos = await store.list(ALERTS_OPEN_PREFIX);
  const read = await Promise.all(infos.map(async (info) => ({ info, stored: await alertRead(store, info.key) })));
  const alerts: StoredAlert[] = [];
  for (const { info, stored } of read) {
    if (stored && 'alert' in stored) alerts.push(stored);
    else if (stored) onUnreadable?.(info.key);
  }
  return alerts;
}

/**
 * Writes a finished occurrence under `alerts/resolved/date=…/`. Idempotent: rewriting the same
 * occurrence (same key and `firstSeenMs`) replaces it; another occurrence of the key resolved
 * the same day gets its own `~-<firstSeenMs>` name. Returns the key written.
 */
export async function alertWriteResolved(store: ObjectStore, alert: Alert): Promise<string> {
  const resolvedAtMs = alert.resolvedAtMs ?? alert.lastSeenMs;
  const plain = alertResolvedKey(alert.key, resolvedAtMs);
  const existing = await store.get(plain);
  const existingAlert = existing && alertParse(existing.body);
  const sameOccurrence = existingAlert !== undefined && existingAlert.firstSeenMs === alert.firstSeenMs;
  const objectKey = existing === undefined || sameOccurrence ? plain : alertResolvedKey(alert.key, resolvedAtMs, alert.firstSeenMs);
  await store.put(objectKey, alertSerialize(alert), { contentType: 'application/json' });
  return objectKey;
}

/**
 * Moves a finished alert out of `alerts/open/`: writes the resolved copy, then deletes the
 * open object only if it is still the version we hold (`etag`). If another job changed it in
 * between, the open object stays and the next delivery looks at it again.
 * The store has no conditional delete, so a write landing between the check and the delete is
 * lost; the job that raised it raises it again on its next run.
 */
export async function alertArchive(store: ObjectStore, stored: StoredAlert): Promise<boolean> {
  await alertWriteResolved(store, stored.alert);
  const objectKey = alertOpenKey(stored.alert.key);
  const head = await store.head(objectKey);
  if (!head || stripQuotes(head.etag) !== stripQuotes(stored.etag)) return false;
  await store.delete(objectKey);
  return true;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** Finished alerts resolved on or after the UTC day of `sinceMs`. */
export async function alertListResolved(store: ObjectStore, sinceMs: number): Promise<Alert[]> {
  const sinceDate = new Date(sinceMs).toISOString().slice(0, 10);
  const infos = (await store.list(ALERTS_RESOLVED_PREFIX)).filter((info) => (alertResolvedKeyDate(info.key) ?? '') >= sinceDate);
  const read = await Promise.all(infos.map((info) => alertRead(store, info.key)));
  return read.flatMap((r) => (r && 'alert' in r ? [r.alert] : []));
}
