import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The configuration verification runs use (activities/verify.ts): the project's own three
// projects, plus the fixture suite of test/fixtures/verify-suite/ that `npm test` never runs.
// Which files run is decided by the file arguments the sandbox resolved.
const projects = base.test?.projects ?? [];
export default defineConfig({
  test: {
    ...base.test,
    projects: [...projects, { test: { pool: 'forks', testTimeout: 120_000, name: 'verify-fixtures', include: ['test/fixtures/verify-suite/**/*.test.ts'] } }],
  },
});
