import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BackupObjectCorruptError,
  checkIntegrity,
  restoreLake,
  restoreObject,
  snapshotLake,
  snapshotObjectKey,
} from '../../../lib/backup/index.ts';
import { withConnection, sqlString } from '../../../lib/lake/duckdb.ts';
import { ohlcvWrite } from '../../../lib/lake/ohlcv-store.ts';
import { buildLake, candles, clockAt, contents, flipByte, ohlcvTotals, silentLogger, storePairs } from './fixtures.ts';
import { readFile } from 'node:fs/promises';

const SNAP = 'snap-20261129T030000Z';

async function setUp(pair: (typeof storePairs)[number]) {
  const { store: lake } = await pair.lake.open();
  const backup = await pair.backup.open();
  await buildLake(lake);
  await snapshotLake({ lake, backup, clock: clockAt(), logger: silentLogger });
  const parts = (await lake.list('exchange=binance/dataset=ohlcv/')).map((o) => o.key);
  return { lake, backup, parts };
}

describe.each(storePairs)('checkIntegrity, $name', (pair) => {
  it('finds nothing wrong with a healthy lake and its snapshot', async () => {
    const { lake, backup } = await setUp(pair);
    const report = await checkIntegrity({ lake, backup, cacheDir: await mkdtemp(join(tmpdir(), 'integrity-')) });
    expect(report).toMatchObject({
      snapshotId: SNAP,
      problems: [],
      checked: { lakeObjects: 14, parquet: 10, json: 4, schema: 10, againstSnapshot: 9, backupObjects: 14 },
    });
  });

  it('catches a flipped byte in a lake part by its path even though DuckDB still reads it, and restoring that object fixes it', async () => {
    const { lake, backup, parts } = await setUp(pair);
    const totals = await ohlcvTotals(lake);
    const victim = parts[1]!;
    await flipByte(lake, victim);
    expect(await ohlcvTotals(lake)).toEqual(totals); // still decodes: only the checksum can tell

    const report = await checkIntegrity({ lake, backup });

    expect(report.problems).toEqual([
      { path: `${lake.url.replace(/\/$/, '')}/${victim}`, kind: 'checksum', detail: expect.stringContaining(`snapshot ${SNAP} recorded`) },
    ]);
    const fixed = await restoreObject({ lake, backup, logger: silentLogger }, { snapshot: 'latest', key: victim });
    expect(fixed).toEqual({ snapshotId: SNAP, key: victim, action: 'restored', bytes: expect.any(Number) });
    expect((await checkIntegrity({ lake, backup })).problems).toEqual([]);
    expect(await restoreObject({ lake, backup, logger: silentLogger }, { snapshot: SNAP, key: victim })).toMatchObject({ action: 'unchanged', bytes: 0 });
  });

  it('reports corrupt and missing backup copies, and a restore refuses them', async () => {
    const { lake, backup, parts } = await setUp(pair);
    const corrupt = snapshotObjectKey(SNAP, parts[0]!);
    const missing = snapshotObjectKey(SNAP, 'runs/job=update/latest.json');
    await flipByte(backup, corrupt);
    await backup.delete(missing);
    const backupRoot = backup.url.replace(/\/$/, '');

    const report = await checkIntegrity({ lake, backup }, { snapshot: SNAP });

    expect(report.problems).toEqual([
      { path: `${backupRoot}/${corrupt}`, kind: 'checksum', detail: expect.stringContaining('sha256') },
      { path: `${backupRoot}/${missing}`, kind: 'missing', detail: expect.stringContaining(SNAP) },
    ].sort((a, b) => (a.path < b.path ? -1 : 1)));

    // The lake lost the same part and gained one the snapshot lacks: the corrupt copy is not
    // written, and nothing is deleted while a replacement is missing.
    await lake.delete(parts[0]!);
    const added = await ohlcvWrite(lake, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' }, candles(Date.UTC(2024, 1, 1), 3, 3_600_000, 2_300));
    const before = await contents(lake);
    const restore = await restoreLake({ lake, backup, logger: silentLogger }, { snapshot: SNAP });
    expect(restore.refused).toEqual([{ key: parts[0], path: `${backupRoot}/${corrupt}`, detail: expect.stringContaining('sha256') }]);
    expect(restore).toMatchObject({ restored: [], deleted: [], deletionsHeldBack: added.keys });
    expect(await contents(lake)).toEqual(before);
    await expect(restoreObject({ lake, backup, logger: silentLogger }, { snapshot: SNAP, key: parts[0]! })).rejects.toBeInstanceOf(
      BackupObjectCorruptError,
    );
  });

  it('checks objects written after the snapshot for readability and schema only', async () => {
    const { lake, backup } = await setUp(pair);
    // Newer than the snapshot: a healthy part, a run record rewritten, a broken JSON, a
    // truncated Parquet, and an ohlcv part whose prices are DOUBLE instead of DECIMAL.
    await ohlcvWrite(lake, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h' }, candles(Date.UTC(2024, 1, 1), 3, 14_400_000, 2_300));
    await lake.put('runs/job=update/latest.json', '{"outcome":"succeeded"}');
    await lake.put('alerts/open/broken.json', '{"key": ');
    const markets = (await lake.list('exchange=binance/dataset=markets/'))[0]!.key;
    const truncated = 'exchange=binance/dataset=markets/date=2024-01-03/markets.parquet';
    await lake.put(truncated, (await lake.get(markets))!.body.slice(0, 100));
    const wrongSchema = 'exchange=binance/dataset=ohlcv/timeframe=1d/symbol=BTC-USDT/year=2024/part-20240101T0000Z-20240101T0000Z.parquet';
    await lake.put(wrongSchema, await doublePricesParquet());
    const root = lake.url.replace(/\/$/, '');

    const report = await checkIntegrity({ lake, backup });

    expect(report.problems).toEqual([
      { path: `${root}/alerts/open/broken.json`, kind: 'unreadable', detail: expect.stringContaining('invalid JSON') },
      { path: `${root}/${truncated}`, kind: 'unreadable', detail: expect.stringContaining('DuckDB cannot read it') },
      { path: `${root}/${wrongSchema}`, kind: 'schema', detail: 'open is DOUBLE, expected DECIMAL(18|38,s); volume is BIGINT, expected DECIMAL(18|38,v)' },
    ]);
    expect(report.checked).toMatchObject({ lakeObjects: 18, againstSnapshot: 9 });
  });

  it('without a backup store checks the lake alone', async () => {
    const { lake } = await setUp(pair);
    const report = await checkIntegrity({ lake });
    expect(report.snapshotId).toBeUndefined();
    expect(report).toMatchObject({ problems: [], checked: { lakeObjects: 14, againstSnapshot: 0, backupObjects: 0 } });
  });
});

/** A one-row Parquet with the ohlcv column names but not its types. */
async function doublePricesParquet(): Promise<Uint8Array> {
  const path = join(await mkdtemp(join(tmpdir(), 'wrong-schema-')), 'part.parquet');
  await withConnection((c) =>
    c.run(
      `COPY (SELECT TIMESTAMP '2024-01-01 00:00:00' AS open_time, 1.5::DECIMAL(18,1) AS high, 1.0::DECIMAL(18,1) AS low, ` +
        `1.25::DECIMAL(18,2) AS close, 1.5::DOUBLE AS open, 3::BIGINT AS volume) TO ${sqlString(path)} (FORMAT parquet)`,
    ),
  );
  return readFile(path);
}
