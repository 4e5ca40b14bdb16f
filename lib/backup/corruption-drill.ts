/**
 * The corruption drill (`candlelake drill corrupt`): proves, on a copy, that a damaged object is
 * found and repaired. The lake is copied into a scratch lake and snapshotted into a scratch backup;
 * one byte of one immutable part is flipped in the scratch lake; the integrity check must name
 * exactly that object, and restoring it from the snapshot must make the check pass again. The real
 * lake is only read.
 */
import pLimit from 'p-limit';
import type { Clock } from '../clock/index.ts';
import { parseOhlcvPartKey } from '../lake/keys.ts';
import type { JobLogger } from '../logging/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { checkIntegrity } from './integrity.ts';
import { restoreObject } from './restore.ts';
import { snapshotLake } from './snapshot.ts';

export interface CorruptionDrillDeps {
  /** The lake to copy (read only). */
  source: ObjectStore;
  /** Empty scratch stores for the copy and its snapshot. */
  scratchLake: ObjectStore;
  scratchBackup: ObjectStore;
  clock: Clock;
  logger: JobLogger;
  cacheDir: string;
}

export interface CorruptionDrillReport {
  /** The object whose copy was corrupted. */
  key: string;
  /** Byte offset flipped. */
  offset: number;
  objectsCopied: number;
  bytesCopied: number;
  /** The integrity check's problems after the corruption (must be exactly the corrupted key). */
  found: Array<{ path: string; kind: string }>;
  detected: boolean;
  recovered: boolean;
  detectionSeconds: number;
  recoverySeconds: number;
}

/** Picks the object to damage: the newest OHLCV part (an immutable object the snapshot must match). */
function pickVictim(keys: readonly string[]): string | undefined {
  // Key order within a series-year is time order; any part is immutable, so any would do.
  return keys.filter((k) => k.includes('/dataset=ohlcv/') && parseOhlcvPartKey(k) !== undefined).sort().at(-1);
}

/**
 * @example const report = await runCorruptionDrill({ source, scratchLake, scratchBackup, clock, logger, cacheDir });
 */
export async function runCorruptionDrill(deps: CorruptionDrillDeps): Promise<CorruptionDrillReport> {
  const { source, scratchLake, scratchBackup, clock, logger } = deps;
  const objects = (await source.list('')).filter((o) => !o.key.startsWith('leases/'));
  const limit = pLimit(8);
  let bytesCopied = 0;
  await Promise.all(
    objects.map((o) =>
      limit(async () => {
        const got = await source.get(o.key);
        if (!got) return;
        await scratchLake.put(o.key, got.body);
        bytesCopied += got.body.byteLength;
      }),
    ),
  );
  const key = pickVictim(objects.map((o) => o.key));
  if (!key) throw new Error(`drill corrupt: ${source.url} holds no OHLCV part to corrupt; run an update first`);
  await snapshotLake({ lake: scratchLake, backup: scratchBackup, clock, logger });

  const body = Buffer.from((await scratchLake.get(key))!.body);
  // The middle of the file: inside the data pages, where a reader might not notice and only the checksum can.
  const offset = Math.floor(body.length / 2);
  body[offset] = body[offset]! ^ 0xff;
  await scratchLake.put(key, body);

  const t0 = performance.now();
  const check = await checkIntegrity({ lake: scratchLake, backup: scratchBackup, cacheDir: deps.cacheDir }, { snapshot: 'latest' });
  const detectionSeconds = (performance.now() - t0) / 1000;
  const found = check.problems.map((p) => ({ path: p.path, kind: p.kind }));
  const detected = found.length > 0 && found.every((p) => p.path.endsWith(key));

  const t1 = performance.now();
  await restoreObject({ lake: scratchLake, backup: scratchBackup, logger }, { snapshot: 'latest', key });
  const after = await checkIntegrity({ lake: scratchLake, backup: scratchBackup, cacheDir: deps.cacheDir }, { snapshot: 'latest' });
  const recoverySeconds = (performance.now() - t1) / 1000;
  return {
    key, offset, objectsCopied: objects.length, bytesCopied, found, detected,
    recovered: after.problems.length === 0, detectionSeconds, recoverySeconds,
  };
}
