/** Scratch folders for Parquet encoding: DuckDB writes files, the object store uploads them. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `work` with a fresh temp folder that is removed afterwards, whatever happens.
 * @example await withTempDir((dir) => encodeOhlcvParquet(candles, join(dir, 'part.parquet')));
 */
export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'candlelake-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
