/** Bounded-concurrency map shared by the backup operations. */
import pLimit from 'p-limit';

/** Objects handled at once unless the caller says otherwise: enough to hide S3 latency, few enough for memory (bodies are held whole). */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Maps `items` with at most `concurrency` calls in flight, results in input order. On the first
 * failure no further item starts (in-flight ones finish) and the failure is thrown.
 * @example const sizes = await mapLimited(keys, 4, async (key) => (await store.head(key))?.sizeBytes);
 */
export async function mapLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const limit = pLimit(Math.max(1, Math.floor(concurrency)));
  return Promise.all(
    items.map((item) =>
      limit(async () => {
        try {
          return await work(item);
        } catch (error) {
          limit.clearQueue();
          throw error;
        }
      }),
    ),
  );
}
