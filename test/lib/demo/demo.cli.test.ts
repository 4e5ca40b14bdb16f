/**
 * `candlelake demo` end to end through the real CLI (bin/candlelake.js) against its own replay
 * exchange: 3 symbols, 30 days. Afterwards the lake validates OK with the demo's config and
 * holds candles, funding, fear & greed, a backtest run and a snapshot.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSnapshots } from '../../../lib/backup/index.ts';
import { openLakeQuery, type LakeQuery } from '../../../lib/lake/query.ts';
import { FileObjectStore } from '../../../lib/object-store/index.ts';
import { runCli, type CliExit } from '../../harness/cli.ts';

const JOBS = ['update', 'validate', 'sentiment', 'backtest', 'backup', 'digest'];

let dir: string;
let demo: CliExit;
let lakeUrl: string;
let configFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candlelake-demo-'));
  lakeUrl = pathToFileURL(join(dir, 'lake')).href;
  configFile = join(dir, 'candlelake.config.json');
  // A stray setting in the caller's environment must not redirect the demo.
  demo = await runCli(['demo', '--dir', dir, '--symbols', '3', '--days', '30'], { CANDLELAKE_LAKE: 'file:///nonexistent/lake', CANDLELAKE_SYMBOLS: 'XRP/USDT' });
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('candlelake demo --symbols 3 --days 30', () => {
  it('exits 0 and prints one succeeded line per job, in order', () => {
    expect(demo.stderr).not.toMatch(/candlelake: /);
    expect(demo.code).toBe(0);
    const lines = demo.stdout.split('\n');
    const jobLines = lines.filter((line) => JOBS.some((job) => line.startsWith(`${job} `)));
    expect(jobLines.map((line) => line.split(/\s+/).slice(0, 2))).toEqual(JOBS.map((job) => [job, 'succeeded']));
    for (const line of jobLines) expect(line).toMatch(/^\w+\s+succeeded\s+\d+\.\d s {2}\S/);
  });

  it('says the data is synthetic and where the lake, report and dashboard are', () => {
    expect(demo.stdout).toMatch(/SYNTHETIC market data/);
    expect(demo.stdout).toContain(`lake:      ${lakeUrl}`);
    expect(demo.stdout).toContain(`dashboard: candlelake dashboard --lake ${lakeUrl}`);
    const report = /^report:\s+(\S+\.html)$/m.exec(demo.stdout)?.[1];
    expect(report).toBeDefined();
    expect(existsSync(report!)).toBe(true);
  });

  it('prints the digest', () => {
    expect(demo.stdout).toMatch(/│ .*candlelake/);
    expect(demo.stdout).toMatch(/demo finished: 6\/6 jobs succeeded/);
  });

  it('writes a config pointing at the demo folder', async () => {
    const config = JSON.parse(await readFile(configFile, 'utf8')) as { lake: string; backup: { url: string }; universe: { symbols: string[] }; sentiment: { fearGreedUrl: string } };
    expect(config.lake).toBe(lakeUrl);
    expect(config.backup.url).toBe(pathToFileURL(join(dir, 'backup')).href);
    expect(config.universe.symbols).toEqual(['BTC/USDT', 'ETH/USDT', 'BNB/USDT']);
    expect(config.sentiment.fearGreedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('leaves a lake that `candlelake validate` reports OK with the demo config', async () => {
    const validate = await runCli(['validate', '--lake', lakeUrl, '--config', configFile, '--log-level', 'warn']);
    expect(validate.stderr).not.toMatch(/candlelake: /);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/^OK: 12 series/m);
  }, 60_000);

  describe('the lake', () => {
    let lake: LakeQuery;
    beforeAll(async () => {
      lake = await openLakeQuery(new FileObjectStore(join(dir, 'lake')), join(dir, '.cache-test'));
    });
    afterAll(() => lake.close());

    const count = async (sql: string) => Number((await lake.rows(sql))[0]?.['n']);

    it('holds OHLCV for 3 symbols × 4 timeframes covering 30 days', async () => {
      const rows = await lake.rows('SELECT symbol, timeframe, count(*) AS n FROM ohlcv GROUP BY 1, 2 ORDER BY 1, 2');
      expect(rows).toHaveLength(12);
      const daily = rows.filter((r) => r['timeframe'] === '1d').map((r) => Number(r['n']));
      for (const n of daily) expect(n).toBeGreaterThanOrEqual(29);
      const quarterHours = rows.filter((r) => r['timeframe'] === '15m').map((r) => Number(r['n']));
      // 30 days of 15m candles, minus the replay's exchange-side gaps (3 candles on BTC and ETH, 8 more on BTC).
      for (const n of quarterHours) expect(n).toBeGreaterThan(29 * 96 - 11);
    });

    it('holds funding, fear & greed and a backtest run', async () => {
      expect(await count("SELECT count(DISTINCT symbol) AS n FROM funding")).toBe(3);
      expect(await count('SELECT count(*) AS n FROM fear_greed')).toBeGreaterThanOrEqual(30);
      expect(await count('SELECT count(DISTINCT run_id) AS n FROM backtest_runs')).toBe(1);
      expect(await count('SELECT count(*) AS n FROM backtest_runs WHERE is_best')).toBeGreaterThanOrEqual(3);
    });
  });

  it('leaves one complete snapshot in the backup store', async () => {
    const { complete, incomplete } = await listSnapshots(new FileObjectStore(join(dir, 'backup')));
    expect(complete).toHaveLength(1);
    expect(incomplete).toHaveLength(0);
  });
});
