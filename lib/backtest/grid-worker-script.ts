/**
 * The script grid workers run. Worker threads do not inherit the main thread's TypeScript
 * loader, and registering tsx in every worker costs ~0.4 s per pool; bundling the worker once per
 * process with esbuild (already installed as tsx's compiler) brings pool start to tens of ms.
 * Without esbuild (a pre-bundled deployment), the tsx entry is used.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let script: Promise<URL> | undefined;

/**
 * URL of a JavaScript file that runs `grid-worker.ts`.
 * @example new Worker(await gridWorkerScript(), { workerData })
 */
export function gridWorkerScript(): Promise<URL> {
  script ??= (async () => {
    const source = fileURLToPath(new URL('./grid-worker.ts', import.meta.url));
    try {
      const { build } = await import('esbuild');
      const outfile = join(await mkdtemp(join(tmpdir(), 'candlelake-grid-')), 'grid-worker.mjs');
      await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error' });
      return new URL(`file://${outfile}`);
    } catch {
      return new URL('./grid-worker-entry.mjs', import.meta.url);
    }
  })();
  return script;
}
