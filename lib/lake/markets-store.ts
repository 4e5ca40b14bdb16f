/**
 * The `markets` dataset: the exchange's market metadata (status, tick size, lot step,
 * minimum notional) as one Parquet snapshot per exchange and UTC day.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { MarketInfo } from '../exchange/types.ts';
import type { ObjectStore } from '../object-store/types.ts';
import { sqlString, withConnection } from './duckdb.ts';
import { marketsKey } from './keys.ts';
import { PARQUET_COPY_OPTIONS } from './schema.ts';
import { withTempDir } from './temp-dir.ts';

function appendOptionalDouble(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}

/**
 * Stores today's snapshot (replacing an earlier one from the same day, so reruns are idempotent).
 * @returns the key written and its size
 */
export async function marketsWrite(
  store: ObjectStore,
  exchange: string,
  markets: readonly MarketInfo[],
  fetchedAtMs: number,
): Promise<{ key: string; bytes: number }> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'markets.parquet');
    await withConnection(async (connection) => {
      const table = `markets_${process.pid}_${Math.random().toString(36).slice(2)}`;
      await connection.run(
        `CREATE TEMP TABLE ${table} (symbol VARCHAR, exchange_symbol VARCHAR, base VARCHAR, quote VARCHAR, status VARCHAR, ` +
          'active BOOLEAN, tick_size DOUBLE, lot_step DOUBLE, min_qty DOUBLE, min_notional DOUBLE, fetched_at TIMESTAMP)',
      );
      try {
        const appender = await connection.createAppender(table);
        for (const m of [...markets].sort((a, b) => a.symbol.localeCompare(b.symbol))) {
          appender.appendVarchar(m.symbol);
          appender.appendVarchar(m.exchangeSymbol);
          appender.appendVarchar(m.base);
          appender.appendVarchar(m.quote);
          appender.appendVarchar(m.status);
          appender.appendBoolean(m.active);
          appendOptionalDouble(appender, m.tickSize);
          appendOptionalDouble(appender, m.lotStep);
          appendOptionalDouble(appender, m.minQty);
          appendOptionalDouble(appender, m.minNotional);
          appender.appendTimestamp(new DuckDBTimestampValue(BigInt(fetchedAtMs) * 1000n));
          appender.endRow();
        }
        appender.closeSync();
        await connection.run(`COPY ${table} TO ${sqlString(path)} (${PARQUET_COPY_OPTIONS})`);
      } finally {
        await connection.run(`DROP TABLE IF EXISTS ${table}`);
      }
    });
    const body = await readFile(path);
    const key = marketsKey(exchange, fetchedAtMs);
    await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
    return { key, bytes: body.byteLength };
  });
}
