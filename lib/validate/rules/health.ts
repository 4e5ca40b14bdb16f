/**
 * Health of the stored objects themselves: partitions that need compacting, objects that cannot be
 * read, and objects whose columns do not match the lake's schema.
 */
import { findingKey } from './format.ts';
import type { ActualColumn, ExpectedColumn, Finding } from './types.ts';

/**
 * Objects one year partition may hold before compaction is due. The update appends one part per
 * series and day and the backup job compacts weekly (Sunday), so a healthy partition holds at
 * most about 7 daily parts plus the odd repair; 24 means compaction has been missed for two to
 * three weeks, and every reader is paying for dozens of small Parquet files.
 * @example DEFAULT_MAX_OBJECTS_PER_PARTITION // 24
 */
export const DEFAULT_MAX_OBJECTS_PER_PARTITION = 24;

/**
 * WARNING 'compaction-due' when a partition holds more than `maxObjectsPerPartition` objects,
 * else `undefined`.
 * @example
 * compactionFinding('exchange=binance/dataset=ohlcv/timeframe=1h/symbol=BTC-USDT/year=2024/', 30)
 * // { kind: 'compaction-due', severity: 'WARNING', key: 'validate:compaction-due:exchange=binance/…/year=2024/', details: { partitionPrefix, objectCount: 30, maxObjectsPerPartition: 24 }, … }
 */
export function compactionFinding(partitionPrefix: string, objectCount: number, maxObjectsPerPartition = DEFAULT_MAX_OBJECTS_PER_PARTITION): Finding | undefined {
  if (!(objectCount > maxObjectsPerPartition)) return undefined;
  return {
    kind: 'compaction-due',
    severity: 'WARNING',
    key: findingKey('compaction-due', partitionPrefix),
    text: `${partitionPrefix} holds ${objectCount} objects (more than ${maxObjectsPerPartition}); compaction is due`,
    details: { partitionPrefix, objectCount, maxObjectsPerPartition },
  };
}

/**
 * CRITICAL 'unreadable-object': an object that cannot be opened or parsed.
 * @example unreadableFinding('exchange=binance/…/part-x.parquet', 'not a Parquet file')
 * // { kind: 'unreadable-object', severity: 'CRITICAL', key: 'validate:unreadable-object:exchange=binance/…/part-x.parquet', … }
 */
export function unreadableFinding(objectKey: string, reason: string): Finding {
  return {
    kind: 'unreadable-object',
    severity: 'CRITICAL',
    key: findingKey('unreadable-object', objectKey),
    text: `${objectKey} cannot be read: ${reason}`,
    details: { objectKey, reason },
  };
}

/**
 * What is wrong with a file's columns, one short phrase per problem, in the expected order then
 * the unexpected ones: missing columns, columns whose type does not match the pattern, and
 * columns the schema does not know. Column order is not compared (readers select by name).
 * @example
 * schemaDifferences([{ name: 'open', typePattern: /^DECIMAL/ }], [{ name: 'open', type: 'DOUBLE' }, { name: 'x', type: 'INTEGER' }])
 * // ['open is DOUBLE, expected /^DECIMAL/', 'unexpected column x']
 */
export function schemaDifferences(expectedColumns: readonly ExpectedColumn[], actual: readonly ActualColumn[]): string[] {
  const actualByName = new Map(actual.map((c) => [c.name, c.type]));
  const expectedNames = new Set(expectedColumns.map((c) => c.name));
  const problems: string[] = [];
  for (const { name, typePattern } of expectedColumns) {
    const type = actualByName.get(name);
    if (type === undefined) problems.push(`missing column ${name}`);
    // `search` ignores lastIndex, so a /g or /y pattern gives the same answer every time.
    else if (type.search(typePattern) < 0) problems.push(`${name} is ${type}, expected ${String(typePattern)}`);
  }
  for (const { name } of actual) if (!expectedNames.has(name)) problems.push(`unexpected column ${name}`);
  return problems;
}

/**
 * Whether a file's columns are exactly the expected ones (by name, any order), each with a type
 * matching its pattern.
 * @example schemaMatches([{ name: 'open_time', typePattern: /^TIMESTAMP/ }], [{ name: 'open_time', type: 'TIMESTAMP' }]) // true
 */
export function schemaMatches(expectedColumns: readonly ExpectedColumn[], actual: readonly ActualColumn[]): boolean {
  return schemaDifferences(expectedColumns, actual).length === 0;
}

/**
 * CRITICAL 'schema-mismatch' for an object whose columns differ from the schema; the text names
 * the first problem, the details carry all of them.
 * @example
 * schemaFinding('…/part-x.parquet', [{ name: 'open', typePattern: /^DECIMAL/ }], [{ name: 'open', type: 'DOUBLE' }])
 * // { kind: 'schema-mismatch', severity: 'CRITICAL', text: '…/part-x.parquet does not match the schema: open is DOUBLE, expected /^DECIMAL/', … }
 */
export function schemaFinding(objectKey: string, expected: readonly ExpectedColumn[], actual: readonly ActualColumn[]): Finding {
  const problems = schemaDifferences(expected, actual);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return {
    kind: 'schema-mismatch',
    severity: 'CRITICAL',
    key: findingKey('schema-mismatch', objectKey),
    text: `${objectKey} does not match the schema: ${problems[0] ?? 'no difference found'}${more}`,
    details: { objectKey, problems, actual: actual.map((c) => `${c.name} ${c.type}`) },
  };
}
