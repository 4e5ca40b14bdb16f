import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  BackupObjectCorruptError,
  BackupUsageError,
  listSnapshots,
  manifestKey,
  resolveSnapshot,
  snapshotIdFor,
  snapshotLake,
  SnapshotExistsError,
  SnapshotNotFoundError,
} from '../../../lib/backup/index.ts';
import { FileObjectStore } from '../../../lib/object-store/index.ts';
import type { GetResult } from '../../../lib/object-store/types.ts';
import { sha256Hex } from '../../../lib/backup/checksum.ts';
import { clockAt, buildLake, contents, FailingPutStore, silentLogger, storePairs } from './fixtures.ts';

/** A backup store that hands back altered bytes for one key (a bad disk, a bit flip in transit). */
class CorruptReadsStore extends FailingPutStore {
  constructor(inner: ConstructorParameters<typeof FailingPutStore>[0], private readonly badKey: (key: string) => boolean) {
    super(inner, Number.POSITIVE_INFINITY);
  }
  override async get(key: string): Promise<GetResult | undefined> {
    const got = await super.get(key);
    if (!got || !this.badKey(key)) return got;
    const body = Uint8Array.from(got.body);
    body[0] = body[0]! ^ 0xff;
    return { ...got, body };
  }
}

describe.each(storePairs)('snapshotLake, $name', ({ lake: lakeBackend, backup: backupBackend }) => {
  it('copies every lake object but leases, verified, with the manifest written last', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const lakeObjects = (await lake.list('')).filter((o) => !o.key.startsWith('leases/'));

    const report = await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });

    expect(report).toMatchObject({ id: 'snap-20261129T030000Z', dryRun: false, objects: 14, vanished: [] });
    expect(report.bytes).toBe(lakeObjects.reduce((sum, o) => sum + o.sizeBytes, 0));
    expect(report.mbPerSecond).toBeGreaterThan(0);
    expect(report.datasets).toEqual({
      ohlcv: { objects: 9, bytes: expect.any(Number), rows: 90 },
      markets: { objects: 1, bytes: expect.any(Number), rows: 2 },
      runs: { objects: 2, bytes: expect.any(Number), rows: 0 },
      alerts: { objects: 1, bytes: expect.any(Number), rows: 0 },
      'backtest-daily': { objects: 1, bytes: expect.any(Number), rows: 0 },
    });

    const lakeBytes = await contents(lake);
    const backupBytes = await contents(backup, 'snapshots/snap-20261129T030000Z/objects/');
    expect([...backupBytes.keys()]).toEqual(lakeObjects.map((o) => `snapshots/snap-20261129T030000Z/objects/${o.key}`));
    for (const object of lakeObjects) {
      expect(backupBytes.get(`snapshots/snap-20261129T030000Z/objects/${object.key}`)).toBe(lakeBytes.get(object.key));
    }

    const manifest = await resolveSnapshot(backup, 'latest');
    expect(manifest).toMatchObject({ format: 1, id: 'snap-20261129T030000Z', createdAt: '2026-11-29T03:00:00.000Z', lake: lake.url });
    expect(manifest.datasets).toEqual(report.datasets);
    expect(manifest.objects.map((o) => o.key)).toEqual(lakeObjects.map((o) => o.key));
    for (const entry of manifest.objects) {
      const body = Buffer.from(lakeBytes.get(entry.key)!, 'base64');
      expect(entry).toMatchObject({ sizeBytes: body.byteLength, sha256: sha256Hex(body) });
    }
    expect(manifest.objects.find((o) => o.key.includes('dataset=markets'))?.rows).toBe(2);
    expect(await listSnapshots(backup)).toEqual({
      complete: [{ id: 'snap-20261129T030000Z', createdAt: '2026-11-29T03:00:00.000Z', objects: 14, bytes: report.bytes }],
      incomplete: [],
    });
  });

  it('rejects an id given that exists, and a dry run writes nothing', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const deps = { lake, backup, clock: clockAt(), logger: silentLogger };
    await snapshotLake(deps, { id: 'snap-weekly' });
    const before = await contents(backup);

    await expect(snapshotLake(deps, { id: 'snap-weekly' })).rejects.toBeInstanceOf(SnapshotExistsError);
    const dry = await snapshotLake(deps, { id: 'snap-dry', dryRun: true });

    expect(dry).toMatchObject({ id: 'snap-dry', dryRun: true, objects: 14 });
    expect(dry.datasets['ohlcv']).toMatchObject({ objects: 9, rows: 0 });
    expect(await contents(backup)).toEqual(before);
  });

  it('an interrupted snapshot has no manifest: listed as incomplete, never resolved', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);

    const dying = new FailingPutStore(backup, 4); // the start marker and three copies get through
    await expect(snapshotLake({ lake, backup: dying, clock: clockAt(), logger: silentLogger }, { concurrency: 1 })).rejects.toThrow(
      'connection reset (simulated)',
    );

    const listing = await listSnapshots(backup);
    expect(listing.complete).toEqual([]);
    expect(listing.incomplete).toEqual([
      { id: 'snap-20261129T030000Z', startedAt: '2026-11-29T03:00:00.000Z', objects: 4, bytes: expect.any(Number), reason: 'no manifest' },
    ]);
    await expect(resolveSnapshot(backup, 'latest')).rejects.toBeInstanceOf(SnapshotNotFoundError);
    await expect(resolveSnapshot(backup, 'snap-20261129T030000Z')).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });

  it('a rerun in the same second as a killed snapshot gets its own id, sorted after it, and restores as latest', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const dying = new FailingPutStore(backup, 4);
    await expect(snapshotLake({ lake, backup: dying, clock: clockAt(), logger: silentLogger }, { concurrency: 1 })).rejects.toThrow('connection reset (simulated)');

    const rerun = await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });

    expect(rerun.id).toMatch(/^snap-20261129T030000Z-[0-9a-f]{6}$/);
    expect(rerun.id > 'snap-20261129T030000Z').toBe(true);
    const listing = await listSnapshots(backup);
    expect(listing.complete.map((s) => s.id)).toEqual([rerun.id]);
    expect(listing.incomplete.map((s) => s.id)).toEqual(['snap-20261129T030000Z']);
    expect((await resolveSnapshot(backup, 'latest')).id).toBe(rerun.id);
    expect((await resolveSnapshot(backup, rerun.id)).objects).toHaveLength(14);
  });

  it('a copy that does not read back with its checksum fails the snapshot before the manifest', async () => {
    const { store: lake } = await lakeBackend.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const flaky = new CorruptReadsStore(backup, (key) => key.endsWith('/markets.parquet'));

    const failure = snapshotLake({ lake, backup: flaky, clock: clockAt(), logger: silentLogger });

    await expect(failure).rejects.toBeInstanceOf(BackupObjectCorruptError);
    await expect(failure).rejects.toThrow(/markets\.parquet: sha256 [0-9a-f]{64} after copy, expected [0-9a-f]{64}/);
    expect(await backup.head(manifestKey('snap-20261129T030000Z'))).toBeUndefined();
    expect((await listSnapshots(backup)).complete).toEqual([]);
  });
});

describe('snapshotLake store checks', () => {
  it.each([
    { name: 'inside the lake', backupDir: (lakeDir: string) => join(lakeDir, 'backups') },
    { name: 'containing the lake', backupDir: (lakeDir: string) => dirname(lakeDir) },
  ])('rejects a backup store $name', async ({ backupDir }) => {
    const lakeDir = await mkdtemp(join(tmpdir(), 'candlelake-lake-'));
    const lake = new FileObjectStore(lakeDir);
    await lake.put('runs/job=update/latest.json', '{}');
    const backup = new FileObjectStore(backupDir(lakeDir));
    await expect(snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger })).rejects.toThrow(BackupUsageError);
  });

  it.each([
    [Date.parse('2026-11-29T03:00:00Z'), 'snap-20261129T030000Z'],
    [Date.parse('2024-01-01T00:05:59.999Z'), 'snap-20240101T000559Z'],
  ])('names a snapshot started at %d %s', (ms, id) => {
    expect(snapshotIdFor(ms)).toBe(id);
  });
});
