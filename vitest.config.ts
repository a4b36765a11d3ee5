import { defineConfig } from 'vitest/config';

// Integration tests share one Temporal dev server and one Postgres per file; files run in
// separate forks so a crashed worker in one file cannot take another down.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
