/**
 * Bars from a CSV or Parquet file (DuckDB reads both): the header and time formats accepted,
 * the inferred timeframe, and the one-line BarsInputError that names what is wrong and where.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBarsFromFile } from '../../../lib/backtest/data/file.ts';
import { BarsInputError } from '../../../lib/backtest/errors.ts';
import type { Bars } from '../../../lib/backtest/types.ts';
import { sqlString, withConnection } from '../../../lib/lake/duckdb.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const T0_S = T0 / 1000;

let dir: string;
let fileNumber = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candlelake-bars-file-'));
});

/** Writes `lines` to a fresh file in the temp dir and returns its path. */
async function csv(lines: string[], name = `prices-${++fileNumber}.csv`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Writes the rows of `select` as a Parquet file through DuckDB. */
async function parquet(select: string, name = `prices-${++fileNumber}.parquet`): Promise<string> {
  const path = join(dir, name);
  await withConnection((c) => c.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet)`));
  return path;
}

/** The error `loadBarsFromFile` rejects with; fails the test when it resolves. */
async function loadError(path: string): Promise<Error> {
  try {
    await loadBarsFromFile(path);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${path} to be rejected`);
}

function plain(b: Bars) {
  return {
    symbol: b.symbol,
    timeframe: b.timeframe,
    time: Array.from(b.time, (t) => new Date(t).toISOString()),
    open: Array.from(b.open), high: Array.from(b.high), low: Array.from(b.low), close: Array.from(b.close), volume: Array.from(b.volume),
  };
}

const ROWS = ['1,2,0.5,1.5,10', '1.5,3,1.25,2.5,20', '2.5,2.75,2,2.25,30'];
const VALUES = { open: [1, 1.5, 2.5], high: [2, 3, 2.75], low: [0.5, 1.25, 2], close: [1.5, 2.5, 2.25], volume: [10, 20, 30] };
const HOURS = ['2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z'];
const DAYS = ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'];

describe('CSV formats accepted', () => {
  it.each([
    ['mixed-case headers, ISO timestamps with Z', 'Timestamp,Open,HIGH,low,Close,Volume', ['2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z'], '1h', HOURS],
    ['a date column of YYYY-MM-DD', 'date,open,high,low,close,volume', ['2024-01-01', '2024-01-02', '2024-01-03'], '1d', DAYS],
    ['epoch seconds', 'timestamp,open,high,low,close,volume', [T0_S, T0_S + 3600, T0_S + 7200].map(String), '1h', HOURS],
    ['epoch milliseconds', 'timestamp,open,high,low,close,volume', [T0, T0 + H, T0 + 2 * H].map(String), '1h', HOURS],
    ['open_time, naive date-times read as UTC', 'OPEN_TIME,open,high,low,close,volume', ['2024-01-01 00:00:00', '2024-01-01 01:00:00', '2024-01-01 02:00:00'], '1h', HOURS],
    ['Datetime header', 'Datetime,Open,High,Low,Close,Volume', ['2024-01-01T00:00:00', '2024-01-01T01:00:00', '2024-01-01T02:00:00'], '1h', HOURS],
  ])('%s', async (_name, header, times, timeframe, iso) => {
    const path = await csv([header, ...times.map((t, i) => `${t},${ROWS[i]}`)], `bars-${++fileNumber}.csv`);

    const bars = await loadBarsFromFile(path);

    expect(plain(bars)).toEqual({ symbol: `bars-${fileNumber}`, timeframe, time: iso, ...VALUES });
  });

  it('columns in any order; extra columns are ignored', async () => {
    const path = await csv([
      'volume,close,note,low,high,open,time',
      '10,1.5,a,0.5,2,1,2024-01-01T00:00:00Z',
      '20,2.5,b,1.25,3,1.5,2024-01-01T01:00:00Z',
      '30,2.25,c,2,2.75,2.5,2024-01-01T02:00:00Z',
    ]);

    const bars = await loadBarsFromFile(path, 'BTC/USDT');

    expect(plain(bars)).toEqual({ symbol: 'BTC/USDT', timeframe: '1h', time: HOURS, ...VALUES });
  });

  it('returns typed arrays', async () => {
    const path = await csv(['timestamp,open,high,low,close,volume', ...[T0, T0 + H, T0 + 2 * H].map((t, i) => `${t},${ROWS[i]}`)]);

    const bars = await loadBarsFromFile(path);

    for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) expect(column).toBeInstanceOf(Float64Array);
  });
});

describe('Parquet', () => {
  const values = `FROM (VALUES (0, 1.0, 2.0, 0.5, 1.5, 10.0), (1, 1.5, 3.0, 1.25, 2.5, 20.0), (2, 2.5, 2.75, 2.0, 2.25, 30.0)) v(i, o, h, l, c, vol)`;

  it.each([
    ['a TIMESTAMP column', `SELECT TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL 1 HOUR AS Timestamp, o AS Open, h AS High, l AS Low, c AS Close, vol AS Volume ${values}`, '1h', HOURS],
    ['a DATE column', `SELECT DATE '2024-01-01' + i::INTEGER AS date, o AS open, h AS high, l AS low, c AS close, vol AS volume ${values}`, '1d', DAYS],
    ['epoch ms as BIGINT', `SELECT (${T0} + i * ${H})::BIGINT AS open_time, o AS open, h AS high, l AS low, c AS close, vol AS volume ${values}`, '1h', HOURS],
    ['epoch seconds as BIGINT, prices as DECIMAL', `SELECT (${T0_S} + i * 3600)::BIGINT AS timestamp, o::DECIMAL(10,2) AS open, h::DECIMAL(10,2) AS high, l::DECIMAL(10,2) AS low, c::DECIMAL(10,2) AS close, vol::DECIMAL(10,2) AS volume ${values}`, '1h', HOURS],
  ])('%s', async (_name, select, timeframe, iso) => {
    const path = await parquet(select, `pq-${++fileNumber}.parquet`);

    const bars = await loadBarsFromFile(path);

    expect(plain(bars)).toEqual({ symbol: `pq-${fileNumber}`, timeframe, time: iso, ...VALUES });
  });

  it('an error names the row (1-based) and the field', async () => {
    const path = await parquet(`SELECT * FROM (VALUES (${T0}, 1.0, 2.0, 0.5, 1.5, 1.0), (${T0 + H}, 1.0, 2.0, 0.5, 'NaN'::DOUBLE, 1.0)) v(timestamp, open, high, low, close, volume)`);

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toBe(`${path}: line 2: close is not a number (NaN)`);
  });
});

describe('the timeframe is inferred from the median spacing', () => {
  it.each([
    ['hourly', [0, 1, 2, 3].map((i) => T0 + i * H), '1h'],
    ['hourly with one missing bar', [0, 1, 2, 4, 5].map((i) => T0 + i * H), '1h'],
    ['4-hourly', [0, 4, 8].map((i) => T0 + i * H), '4h'],
    ['15-minute', [0, 15, 30].map((m) => T0 + m * 60_000), '15m'],
    ['daily', [0, 24, 48].map((i) => T0 + i * H), '1d'],
    ['weekly', [0, 168, 336].map((i) => T0 + i * H), '1w'],
    ['an unlisted spacing, in minutes', [0, 3, 6].map((m) => T0 + m * 60_000), '3m'],
  ])('%s → %s', async (_name, times, timeframe) => {
    const path = await csv(['timestamp,open,high,low,close,volume', ...times.map((t) => `${t},1,2,0.5,1.5,10`)]);

    const bars = await loadBarsFromFile(path);

    expect(bars.timeframe).toBe(timeframe);
  });
});

describe('bad input is a BarsInputError naming the problem', () => {
  const header = 'timestamp,open,high,low,close,volume';
  const row = (hour: number, close = '1.5', low = '0.5') => `${T0 + hour * H},1,2,${low},${close},10`;

  it.each([
    ['missing columns are named', ['timestamp,open,low,close', `${T0},1,0.5,1.5`, `${T0 + H},1,0.5,1.5`], 'missing columns high, volume'],
    ['one missing column', ['timestamp,open,high,low,close', `${T0},1,2,0.5,1.5`, `${T0 + H},1,2,0.5,1.5`], 'missing column volume'],
    ['no time column', ['when,open,high,low,close,volume', `${T0},1,2,0.5,1.5,10`, `${T0 + H},1,2,0.5,1.5,10`], 'missing column timestamp (or date)'],
    ['unsorted timestamps: the line of the first one out of order', [header, row(0), row(2), row(1)], 'line 4: timestamps are not in ascending order (2024-01-01T01:00:00.000Z after 2024-01-01T02:00:00.000Z)'],
    ['duplicate timestamps', [header, row(0), row(1), row(1), row(2)], 'line 4: duplicate timestamp 2024-01-01T01:00:00.000Z'],
    ['a NaN price: line and field', [header, row(0), row(1, 'NaN'), row(2)], 'line 3: close is not a number (NaN)'],
    ['an empty price: line and field', [header, row(0), row(1), row(2, '1.5', '')], 'line 4: low is not a number (empty)'],
    ['an infinite price', [header, row(0), row(1, 'inf')], 'line 3: close is not a number (Infinity)'],
    ['a timestamp that is not a time', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,2,0.5,1.5,10', 'yesterday,1,2,0.5,1.5,10'], 'line 3: timestamp is missing or not a time'],
    ['one row', [header, row(0)], 'needs at least 2 bars, got 1'],
    ['a header only', [header], 'needs at least 2 bars, got 0'],
  ])('%s', async (_name, lines, problem) => {
    const path = await csv(lines);

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toBe(`${path}: ${problem}`);
  });

  it('a non-numeric price: line and field', async () => {
    const path = await csv([header, row(0), row(1, 'abc'), row(2)]);

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3: close is not a number`));
  });

  it('a non-numeric price is not reported as empty', async () => {
    const path = await csv([header, row(0), row(1, 'abc'), row(2)]);

    const error = await loadError(path);

    expect(error.message).toBe(`${path}: line 3: close is not a number (abc)`);
  });

  it.each([
    ['an unknown extension', 'prices.json', 'expected a .csv or .parquet file'],
    ['no extension', 'prices', 'expected a .csv or .parquet file'],
  ])('%s', async (_name, name, problem) => {
    const path = join(dir, name);
    await writeFile(path, '{}');

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toBe(`${path}: ${problem}`);
  });

  it('a missing file', async () => {
    const path = join(dir, 'nowhere', 'prices.csv');

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message).toBe(`${path}: no such file`);
  });

  it('a file DuckDB cannot read as Parquet', async () => {
    const path = join(dir, 'broken.parquet');
    await writeFile(path, 'not parquet at all');

    const error = await loadError(path);

    expect(error).toBeInstanceOf(BarsInputError);
    expect(error.message.startsWith(`${path}: cannot read: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });
});

describe('time zones', () => {
  let restoreTimeZone: string | undefined;
  afterEach(async () => {
    if (restoreTimeZone === undefined) return;
    const zone = restoreTimeZone;
    restoreTimeZone = undefined;
    await withConnection((c) => c.run(`SET GLOBAL TimeZone = ${sqlString(zone)}`));
  });

  /** Sets DuckDB's session time zone as a user's machine outside UTC would have it. */
  async function useTimeZone(zone: string): Promise<void> {
    const rows = await withConnection(async (c) => (await c.runAndReadAll(`SELECT current_setting('TimeZone')`)).getRows());
    restoreTimeZone = String(rows[0]![0]);
    await withConnection((c) => c.run(`SET GLOBAL TimeZone = ${sqlString(zone)}`));
  }

  it('an offset in the timestamp is honoured (UTC session)', async () => {
    const path = await csv(['timestamp,open,high,low,close,volume', '2024-01-01T02:00:00+02:00,1,2,0.5,1.5,10', '2024-01-01T03:00:00+02:00,1,2,0.5,1.5,10']);

    const bars = await loadBarsFromFile(path);

    expect(Array.from(bars.time)).toEqual([T0, T0 + H]);
  });

  it('naive timestamps are UTC whatever the machine time zone', async () => {
    await useTimeZone('America/New_York');
    const path = await csv(['timestamp,open,high,low,close,volume', '2024-01-01 00:00:00,1,2,0.5,1.5,10', '2024-01-01 01:00:00,1,2,0.5,1.5,10']);

    const bars = await loadBarsFromFile(path);

    expect(Array.from(bars.time)).toEqual([T0, T0 + H]);
  });

  it('an explicit Z timestamp is the same instant whatever the machine time zone', async () => {
    await useTimeZone('America/New_York');
    const path = await csv(['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,2,0.5,1.5,10', '2024-01-01T01:00:00Z,1,2,0.5,1.5,10']);

    const bars = await loadBarsFromFile(path);

    expect(Array.from(bars.time)).toEqual([T0, T0 + H]);
  });
});
