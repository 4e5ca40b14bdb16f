import { describe, expect, it } from 'vitest';
import { applyRetention, BackupUsageError, listSnapshots, resolveSnapshot, snapshotIdFor, snapshotLake } from '../../../lib/backup/index.ts';
import { backupBackends, buildLake, clockAt, contents, FailingPutStore, silentLogger } from './fixtures.ts';
import { lakeBackends } from '../../harness/lake-stores.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const FIRST = Date.parse('2026-11-08T03:00:00Z');

describe.each(backupBackends)('applyRetention on a $name', (backupBackend) => {
  async function weeklySnapshots(count: number) {
    const { store: lake } = await lakeBackends[0]!.open();
    const backup = await backupBackend.open();
    await buildLake(lake);
    const clock = clockAt(FIRST);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      ids.push((await snapshotLake({ lake, backup, clock, logger: silentLogger })).id);
      clock.advance(WEEK);
    }
    return { lake, backup, clock, ids };
  }

  it('with 4 snapshots and keep 3 deletes only the oldest', async () => {
    const { backup, ids } = await weeklySnapshots(4);
    expect(ids).toEqual(['snap-20261108T030000Z', 'snap-20261115T030000Z', 'snap-20261122T030000Z', 'snap-20261129T030000Z']);

    const dry = await applyRetention(backup, { keep: 3, dryRun: true });
    expect(dry).toEqual({ dryRun: true, kept: ids.slice(1).reverse(), deletedComplete: [ids[0]], deletedIncomplete: [], objectsDeleted: 16 });
    expect((await listSnapshots(backup)).complete).toHaveLength(4);

    const report = await applyRetention(backup, { keep: 3 });

    expect(report).toEqual({ dryRun: false, kept: ids.slice(1).reverse(), deletedComplete: [ids[0]], deletedIncomplete: [], objectsDeleted: 16 });
    expect((await listSnapshots(backup)).complete.map((s) => s.id)).toEqual(ids.slice(1).reverse());
    expect(await backup.list(`snapshots/${ids[0]}/`)).toEqual([]);
    expect((await resolveSnapshot(backup, 'latest')).id).toBe(ids[3]);
    expect(await applyRetention(backup, { keep: 3 })).toMatchObject({ deletedComplete: [], objectsDeleted: 0 });
  });

  it('cleans up an interrupted snapshot older than the newest complete one, and keeps a newer one (it may still be running)', async () => {
    const { lake, backup, clock, ids } = await weeklySnapshots(1);
    const interruptedAt = clock.nowMs();
    await expect(snapshotLake({ lake, backup: new FailingPutStore(backup, 3), clock, logger: silentLogger }, { concurrency: 1 })).rejects.toThrow();
    clock.advance(DAY);
    const newest = (await snapshotLake({ lake, backup, clock, logger: silentLogger })).id;
    clock.advance(DAY);
    await expect(snapshotLake({ lake, backup: new FailingPutStore(backup, 2), clock, logger: silentLogger }, { concurrency: 1 })).rejects.toThrow();
    const interrupted = snapshotIdFor(interruptedAt);
    const running = (await listSnapshots(backup)).incomplete.map((s) => s.id).find((id) => id !== interrupted)!;
    expect((await listSnapshots(backup)).incomplete.map((s) => s.id).sort()).toEqual([interrupted, running].sort());

    const report = await applyRetention(backup, { keep: 3 });

    expect(report).toEqual({ dryRun: false, kept: [newest, ids[0]], deletedComplete: [], deletedIncomplete: [interrupted], objectsDeleted: 3 });
    const listing = await listSnapshots(backup);
    expect(listing.complete.map((s) => s.id)).toEqual([newest, ids[0]]);
    expect(listing.incomplete.map((s) => s.id)).toEqual([running]);
  });

  it('never deletes the newest complete snapshot, and rejects keep below 1', async () => {
    const { backup, ids } = await weeklySnapshots(2);
    const before = await contents(backup);
    await expect(applyRetention(backup, { keep: 0 })).rejects.toBeInstanceOf(BackupUsageError);
    expect(await contents(backup)).toEqual(before);
    expect(await applyRetention(backup, { keep: 1 })).toMatchObject({ kept: [ids[1]], deletedComplete: [ids[0]] });
  });
});
