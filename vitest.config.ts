import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites each start their own Dovecot; two cores run two files at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // electron-store imports `electron` itself: inlined, it sees the tests' mocked module
    // instead of the real package, which throws without its binary.
    server: { deps: { inline: ['electron-store'] } },
    reporters: ['default', './test/support/summary-line-reporter.ts'],
  },
});
