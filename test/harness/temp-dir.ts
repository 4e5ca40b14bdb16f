/**
 * One temporary directory per test run, given to every worker (and every process they start) as
 * TMPDIR, and removed when the run ends. Tests make hundreds of scratch lakes, caches and unzipped
 * packages with mkdtemp under os.tmpdir(); without this a run left about a gigabyte behind.
 *
 * The path is fixed when the config loads (the main process), so `test.env` can hand it to the
 * workers; the global setup creates it, sweeps the directories of runs that were killed before
 * their teardown, and removes its own at the end.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isProcessAlive } from '../../lib/daemon/pid-lock.ts';

const PREFIX = 'candlelake-test-run-';

/** This run's directory: inherited when already set (a worker re-reading the config), else new. */
export function testRunTempDir(): string {
  process.env.CANDLELAKE_TEST_TMPDIR ??= path.join(tmpdir(), `${PREFIX}${process.pid}`);
  return process.env.CANDLELAKE_TEST_TMPDIR;
}

/** Vitest global setup: creates the run's directory, removes those of dead runs; the teardown removes it. */
export default function setup(): () => void {
  const dir = testRunTempDir();
  const parent = path.dirname(dir);
  for (const name of readdirSync(parent)) {
    const pid = Number(name.slice(PREFIX.length));
    if (name.startsWith(PREFIX) && Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  return () => rmSync(dir, { recursive: true, force: true });
}
