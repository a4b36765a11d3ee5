import { defineConfig } from 'vitest/config';

// The chaos suite (`npm run test:chaos`): crashes and outages injected into a real stack. Minutes
// long, so not part of `npm test`; run it before a release and after touching durability.
export default defineConfig({
  test: {
    name: 'chaos',
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    // Files and tests run in order: each test builds on the stack the one before disturbed.
    sequence: { concurrent: false },
    testTimeout: 1_200_000,
    hookTimeout: 600_000,
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
