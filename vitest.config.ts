import { defineConfig } from 'vitest/config';

// Three projects, one per kind of test, so each can run alone (`npm run test:unit` needs no
// service at all). Integration tests share one Temporal dev server and one Postgres per file;
// files run in separate forks so a crashed worker in one file cannot take another down.
const shared = { pool: 'forks', testTimeout: 120_000, hookTimeout: 180_000 } as const;
// Integration tests wait on conditions with their own deadlines; the per-test limit is only a
// backstop, generous enough for a CI machine at load 10+ (a killed-worker NAS test needed
// more than 120 s there).
const slow = { pool: 'forks', testTimeout: 600_000, hookTimeout: 600_000 } as const;

export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      // Pure code: no Temporal server, no database.
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Workflows on TestWorkflowEnvironment (our Temporal CLI) with fake activities, and replay of
      // recorded histories: no database.
      { test: { ...shared, name: 'workflow', include: ['test/workflow/**/*.test.ts', 'test/replay/**/*.test.ts'] } },
      // Real dev server + real Postgres.
      { test: { ...slow, name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: ['./test/support/global-setup.ts'] } },
    ],
  },
});
