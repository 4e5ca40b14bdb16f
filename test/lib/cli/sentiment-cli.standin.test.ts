/** `candlelake sentiment` through the real CLI: exit 0 when every source worked, 3 when one was down. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../harness/cli.ts';
import { startAlternativeMeStandIn } from '../../stand-ins/alternative-me/index.ts';
import { startBinanceStandIn, type BinanceStandIn } from '../../stand-ins/binance/index.ts';

let binance: BinanceStandIn;
let fearGreed: Awaited<ReturnType<typeof startAlternativeMeStandIn>>;
let env: Record<string, string>;

beforeAll(async () => {
  [binance, fearGreed] = await Promise.all([startBinanceStandIn(), startAlternativeMeStandIn()]);
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-sentiment-cli-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ exchange: { retryBaseMs: 5, maxTries: 2 }, sentiment: { fundingLookbackDays: 5 } }));
  env = {
    CANDLELAKE_CONFIG: config,
    CANDLELAKE_LAKE: `file://${join(dir, 'lake')}`, CANDLELAKE_CACHE_DIR: join(dir, 'cache'), CANDLELAKE_BINANCE_URL: binance.url,
    CANDLELAKE_FEAR_GREED_URL: fearGreed.url, CANDLELAKE_SYMBOLS: 'BTC/USDT,LUNA/USDT', CANDLELAKE_LOG_LEVEL: 'error', FRED_API_KEY: '',
  };
});
afterAll(async () => {
  await Promise.all([binance.close(), fearGreed.close()]);
});

describe('candlelake sentiment', () => {
  it('prints each source, the symbol without a perpetual and the missing-key note; exit 0, then 3 with a source down', async () => {
    const ok = await runCli(['sentiment'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^sentiment sentiment-\S+: succeeded\n {2}fear_greed {3}ok {7}\d+ rows/);
    expect(ok.stdout).toContain('  no perpetual: LUNA/USDT');
    expect(ok.stdout).toContain('  macro series skipped: FRED_API_KEY is not set');

    fearGreed.faults.add({ action: { type: 'outage', mode: 'socket' } });
    const partial = await runCli(['--json', 'sentiment'], env);
    fearGreed.faults.clear();
    expect(partial.code).toBe(3);
    expect(JSON.parse(partial.stdout)).toMatchObject({ outcome: 'partial', findings: [{ key: 'sentiment:source-failed:fear_greed', severity: 'WARNING' }] });
  });
});
