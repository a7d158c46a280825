import { defineConfig } from 'vitest/config';

/** The desktop end-to-end suite: the real Electron app, run by `scripts/run-e2e.mjs`. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // One Electron app at a time: each holds a display, a Dovecot and a single-instance lock.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-line-reporter.ts'],
  },
});
