import { defineConfig } from 'vitest/config';
import { testRunTempDir } from './test/harness/temp-dir.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // temp-dir first: the run's TMPDIR exists before any worker starts.
    globalSetup: ['test/harness/temp-dir.ts', 'test/harness/moto-global-setup.ts'],
    env: { TMPDIR: testRunTempDir() },
    setupFiles: ['test/harness/fast-check-setup.ts', 'test/harness/secret-log-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
