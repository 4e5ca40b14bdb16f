import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_OBJECTS_PER_PARTITION,
  compactionFinding,
  schemaDifferences,
  schemaFinding,
  schemaMatches,
  unreadableFinding,
} from '../../../../lib/validate/rules/health.ts';
import type { ActualColumn, ExpectedColumn } from '../../../../lib/validate/rules/types.ts';

const PARTITION = 'exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/';
const OBJECT = `${PARTITION}part-20240101T0000Z-20240107T2300Z.parquet`;

const DECIMAL = /^DECIMAL\((18|38),\d+\)$/;
const EXPECTED: ExpectedColumn[] = [
  { name: 'open_time', typePattern: /^TIMESTAMP$/ },
  { name: 'open', typePattern: DECIMAL },
  { name: 'close', typePattern: DECIMAL },
  { name: 'volume', typePattern: DECIMAL },
];
const GOOD: ActualColumn[] = [
  { name: 'open_time', type: 'TIMESTAMP' },
  { name: 'open', type: 'DECIMAL(18,2)' },
  { name: 'close', type: 'DECIMAL(18,2)' },
  { name: 'volume', type: 'DECIMAL(38,8)' },
];

describe('compactionFinding', () => {
  it.each([
    [0, undefined, undefined],
    [24, undefined, undefined],
    [25, undefined, 'WARNING'],
    [10, 9, 'WARNING'],
    [9, 9, undefined],
  ] as const)('%d objects, limit %s -> %s', (objectCount, max, severity) => {
    expect(compactionFinding(PARTITION, objectCount, max)?.severity).toBe(severity);
  });

  it('defaults to 24 objects and names the partition', () => {
    expect(DEFAULT_MAX_OBJECTS_PER_PARTITION).toBe(24);
    expect(compactionFinding(PARTITION, 30)).toEqual({
      kind: 'compaction-due',
      severity: 'WARNING',
      key: `validate:compaction-due:${PARTITION}`,
      text: `${PARTITION} holds 30 objects (more than 24); compaction is due`,
      details: { partitionPrefix: PARTITION, objectCount: 30, maxObjectsPerPartition: 24 },
    });
  });
});

describe('unreadableFinding', () => {
  it('is CRITICAL and keyed by the object', () => {
    expect(unreadableFinding(OBJECT, 'not a Parquet file')).toEqual({
      kind: 'unreadable-object',
      severity: 'CRITICAL',
      key: `validate:unreadable-object:${OBJECT}`,
      text: `${OBJECT} cannot be read: not a Parquet file`,
      details: { objectKey: OBJECT, reason: 'not a Parquet file' },
    });
  });
});

describe('schemaMatches / schemaDifferences', () => {
  it.each<[string, ActualColumn[], string[]]>([
    ['the expected columns', GOOD, []],
    ['the same columns in another order', [...GOOD].reverse(), []],
    ['a missing column', GOOD.filter((c) => c.name !== 'close'), ['missing column close']],
    ['an unexpected column', [...GOOD, { name: 'trades', type: 'BIGINT' }], ['unexpected column trades']],
    [
      'a column of the wrong type',
      GOOD.map((c) => (c.name === 'open' ? { ...c, type: 'DOUBLE' } : c)),
      ['open is DOUBLE, expected /^DECIMAL\\((18|38),\\d+\\)$/'],
    ],
    ['a type only partly matching an anchored pattern', GOOD.map((c) => (c.name === 'open_time' ? { ...c, type: 'TIMESTAMP WITH TIME ZONE' } : c)), ['open_time is TIMESTAMP WITH TIME ZONE, expected /^TIMESTAMP$/']],
    ['no columns at all', [], ['missing column open_time', 'missing column open', 'missing column close', 'missing column volume']],
  ])('%s', (_name, actual, problems) => {
    expect(schemaDifferences(EXPECTED, actual)).toEqual(problems);
    expect(schemaMatches(EXPECTED, actual)).toBe(problems.length === 0);
  });

  it('a global pattern gives the same answer every time', () => {
    const expected = [{ name: 'open_time', typePattern: /TIMESTAMP/g }];
    const actual = [{ name: 'open_time', type: 'TIMESTAMP' }];
    expect([schemaMatches(expected, actual), schemaMatches(expected, actual), schemaMatches(expected, actual)]).toEqual([true, true, true]);
  });
});

describe('schemaFinding', () => {
  it('is CRITICAL, names the first problem and counts the rest', () => {
    const actual = GOOD.filter((c) => c.name !== 'volume').map((c) => (c.name === 'open' ? { ...c, type: 'DOUBLE' } : c));
    expect(schemaFinding(OBJECT, EXPECTED, actual)).toEqual({
      kind: 'schema-mismatch',
      severity: 'CRITICAL',
      key: `validate:schema-mismatch:${OBJECT}`,
      text: `${OBJECT} does not match the schema: open is DOUBLE, expected /^DECIMAL\\((18|38),\\d+\\)$/ (and 1 more)`,
      details: {
        objectKey: OBJECT,
        problems: ['open is DOUBLE, expected /^DECIMAL\\((18|38),\\d+\\)$/', 'missing column volume'],
        actual: ['open_time TIMESTAMP', 'open DOUBLE', 'close DECIMAL(18,2)'],
      },
    });
  });
});
