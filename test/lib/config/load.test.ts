import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { DEFAULT_SYMBOLS } from '../../../lib/config/universe.ts';

function configFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'candlelake.config.json');
  writeFileSync(file, content);
  return file;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to 60 USDT pairs × 4 timeframes, a local lake, 20% of the rate limit and 5 tries', () => {
    const config = loadConfig({ env: {} });
    expect(config.universe.symbols).toHaveLength(60);
    expect(new Set(config.universe.symbols).size).toBe(60);
    expect(config.universe.symbols.every((s) => s.endsWith('/USDT'))).toBe(true);
    expect(config.universe.timeframes).toEqual(['15m', '1h', '4h', '1d']);
    expect(config.lake).toBe('file://./lake');
    expect(config.exchange.rateLimitShare).toBe(0.2);
    expect(config.exchange.maxTries).toBe(5);
    expect(config.exchange.baseUrl).toBeUndefined();
    expect(DEFAULT_SYMBOLS).toContain('BTC/USDT');
  });

  it('layers file < environment < overrides', () => {
    const file = configFile(JSON.stringify({ lake: 's3://from-file/x', universe: { timeframes: ['1d'] }, update: { concurrency: 2 } }));
    const config = loadConfig({
      file,
      env: { CANDLELAKE_LAKE: 'file:///env-lake', CANDLELAKE_SYMBOLS: 'BTC/USDT, ETH/USDT', CANDLELAKE_BINANCE_URL: 'http://127.0.0.1:9999' },
      overrides: { universe: { timeframes: ['1h', '4h'] } },
    });
    expect(config.lake).toBe('file:///env-lake');
    expect(config.universe.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(config.universe.timeframes).toEqual(['1h', '4h']);
    expect(config.update.concurrency).toBe(2);
    expect(config.exchange.baseUrl).toBe('http://127.0.0.1:9999');
  });

  it.each([
    [{ CANDLELAKE_TIMEFRAMES: '1h,2h' }, 'universe.timeframes.1', 'CANDLELAKE_TIMEFRAMES'],
    [{ CANDLELAKE_SYMBOLS: 'btcusdt' }, 'universe.symbols.0', 'CANDLELAKE_SYMBOLS'],
    [{ CANDLELAKE_BINANCE_URL: 'ftp://x' }, 'exchange.baseUrl', 'CANDLELAKE_BINANCE_URL'],
    [{ CANDLELAKE_RATE_LIMIT_SHARE: '1.5' }, 'exchange.rateLimitShare', 'CANDLELAKE_RATE_LIMIT_SHARE'],
    [{ CANDLELAKE_RATE_LIMIT_SHARE: 'lots' }, 'exchange.rateLimitShare', 'CANDLELAKE_RATE_LIMIT_SHARE'],
  ])('names the field and its source for %o', (env, field, source) => {
    const message = messageOf(() => loadConfig({ env }));
    expect(message).toContain(field);
    expect(message).toContain(source);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('names the flag that set a bad override', () => {
    const message = messageOf(() =>
      loadConfig({ env: {}, overrides: { universe: { timeframes: ['5m' as '1h'] } }, overrideSources: { 'universe.timeframes': '--timeframes' } }),
    );
    expect(message).toMatch(/universe\.timeframes\.0: .*\(from --timeframes\)/);
  });

  it('rejects duplicate symbols and a broken file with one message', () => {
    expect(messageOf(() => loadConfig({ env: { CANDLELAKE_SYMBOLS: 'BTC/USDT,BTC/USDT' } }))).toContain('symbols must be unique');
    expect(messageOf(() => loadConfig({ file: configFile('{ nope'), env: {} }))).toMatch(/is not valid JSON/);
  });
});
