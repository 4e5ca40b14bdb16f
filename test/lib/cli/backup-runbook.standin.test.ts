/**
 * The backup runbook through the real CLI, as an operator would type it: a lake built by `update`
 * from the Binance stand-in, the weekly `backup` into a separate folder, then damage and recovery —
 * `integrity` finding a flipped byte, `restore` refusing without confirmation and repairing with it,
 * `reindex` rebuilding a lost pointer, `resync` refilling a window, and `drill corrupt`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ohlcvListParts } from '../../../lib/lake/ohlcv-store.ts';
import { FileObjectStore } from '../../../lib/object-store/file.ts';
import { runCli } from '../../harness/cli.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';

let binance: BinanceStandIn;
let dir: string;
let env: Record<string, string>;
let lake: FileObjectStore;

beforeAll(async () => {
  binance = await startBinanceStandIn();
  dir = await mkdtemp(join(tmpdir(), 'candlelake-runbook-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { rateLimitShare: 1, retryBaseMs: 10 }, update: { initialLookbackDays: 10 }, features: { enabled: false } }));
  env = {
    CANDLELAKE_LAKE: `file://${join(dir, 'lake')}`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: binance.url,
    CANDLELAKE_CONFIG: config, CANDLELAKE_SYMBOLS: 'BTC/USDT,ETH/USDT', CANDLELAKE_TIMEFRAMES: '1h,4h', CANDLELAKE_LOG_LEVEL: 'error',
    CANDLELAKE_BACKUP: `file://${join(dir, 'backup')}`,
  };
  lake = new FileObjectStore(join(dir, 'lake'));
  expect((await runCli(['update'], env)).code).toBe(0);
});
afterAll(async () => {
  await binance.close();
});

async function cli(args: string[], extra: Record<string, string> = {}) {
  const exit = await runCli(args, { ...env, ...extra });
  return { ...exit, json: () => JSON.parse(exit.stdout) as Record<string, unknown> };
}

const candleCounts = async () => (await cli(['--json', 'query', 'SELECT symbol, timeframe, count(*)::INT AS n, sum(close) AS s FROM ohlcv GROUP BY ALL ORDER BY ALL'])).stdout;

describe('the backup runbook on the command line', () => {
  it('backup → integrity finds a flipped byte → restore (confirmed) repairs it; reindex; resync; drill corrupt', async () => {
    const before = await candleCounts();
    expect(JSON.parse(before)).toHaveLength(4);

    // The weekly backup: compaction (the update wrote one part per series-year here, so nothing to do), a snapshot, integrity OK.
    const backup = await cli(['--json', 'backup']);
    expect(backup.code).toBe(0);
    const result = backup.json() as { outcome: string; snapshot: { id: string; objects: number; datasets: Record<string, { rows: number }> }; integrity: { problems: unknown[] } };
    expect(result.outcome).toBe('succeeded');
    expect(result.integrity.problems).toEqual([]);
    expect(result.snapshot.datasets['ohlcv']!.rows).toBe(JSON.parse(before).reduce((sum: number, r: { n: number }) => sum + r.n, 0));
    const listed = (await cli(['--json', 'snapshots'])).json() as { complete: Array<{ id: string }> };
    expect(listed.complete.map((s) => s.id)).toEqual([result.snapshot.id]);
    // The configuration the snapshot was made with is in it.
    expect(JSON.parse(await readFile(join(dir, 'backup', 'snapshots', result.snapshot.id, 'objects', 'config', 'candlelake.json'), 'utf8'))).toMatchObject({ config: { backup: { keep: 3 } } });

    // Damage: one byte of one part.
    const [part] = await ohlcvListParts(lake, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    const path = join(dir, 'lake', part!.key);
    const bytes = await readFile(path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    await writeFile(path, bytes);
    const integrity = await cli(['integrity']);
    expect(integrity.code).toBe(1);
    expect(integrity.stdout).toMatch(/^1 PROBLEMS/);
    expect(integrity.stdout).toContain(part!.key);

    // Restore: no terminal, no --yes → refused, nothing touched; a dry run plans one object; --yes repairs.
    const refused = await cli(['restore', '--snapshot', 'latest', '--symbol', 'ETH/USDT']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to restore .* without confirmation: pass --yes/);
    const plan = (await cli(['--json', 'restore', '--snapshot', 'latest', '--symbol', 'ETH/USDT', '--dry-run'])).json() as { restored: Array<{ key: string; reason: string }>; deleted: string[] };
    expect(plan.restored).toEqual([expect.objectContaining({ key: part!.key, reason: 'differs' })]);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    const restored = await cli(['restore', '--snapshot', 'latest', '--symbol', 'ETH/USDT', '--yes']);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^restored 1 objects .* deleted 0, \d+ unchanged — snapshot snap-/);
    expect((await cli(['integrity'])).code).toBe(0);
    expect(await candleCounts()).toBe(before);
    // The restore left its own record in the lake.
    expect(JSON.parse((await lake.get('runs/job=restore/latest.json'))!.body.toString())).toMatchObject({ outcome: 'succeeded', summary: expect.stringContaining('restored 1') });

    // Reindex: a lost latest pointer comes back from the dated records.
    const latestUpdate = (await lake.get('runs/job=update/latest.json'))!.body.toString();
    await lake.delete('runs/job=update/latest.json');
    const reindex = (await cli(['--json', 'reindex'])).json() as { pointers: Array<{ key: string; changed: boolean }>; views: Record<string, number> };
    expect(reindex.pointers.filter((p) => p.changed).map((p) => p.key)).toEqual(['runs/job=update/latest.json']);
    expect(reindex.views['ohlcv']).toBe(JSON.parse(before).reduce((sum: number, r: { n: number }) => sum + r.n, 0));
    expect((await lake.get('runs/job=update/latest.json'))!.body.toString()).toBe(latestUpdate);

    // Resync: a window re-fetched through the update job (nothing missing, so nothing new), recorded as such.
    const resync = await cli(['--json', 'resync', '--since', '-48h']);
    expect(resync.code).toBe(0);
    expect(resync.json()).toMatchObject({ trigger: 'resync', outcome: 'succeeded' });
    expect(await candleCounts()).toBe(before);

    // The drill works on copies: the lake is the same afterwards.
    const drill = await cli(['--json', 'drill', 'corrupt']);
    expect(drill.code).toBe(0);
    const report = drill.json() as { detected: boolean; recovered: boolean; key: string; found: Array<{ path: string; kind: string }>; detectionSeconds: number };
    expect(report).toMatchObject({ detected: true, recovered: true });
    expect(report.found).toEqual([{ path: expect.stringContaining(report.key), kind: 'checksum' }]);
    expect(report.detectionSeconds).toBeGreaterThan(0);
    expect((await cli(['integrity'])).code).toBe(0);
  });
});
