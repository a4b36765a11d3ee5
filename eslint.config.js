// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'net', 'http', 'https', 'stream', 'url', 'util', 'events', 'zlib', 'process', 'timers'];

const workflowPaths = nodeBuiltins.flatMap((m) => [
  { name: m, message: 'Node built-ins are not allowed in workflows.' },
  { name: `node:${m}`, message: 'Node built-ins are not allowed in workflows.' },
]);
const workflowPatterns = [
  { group: ['node:*'], message: 'Node built-ins are not allowed in workflows.' },
  { group: ['**/db', '**/db/**', '../db', '../../db'], message: 'Workflows must not touch the database: call an activity.' },
  { group: ['**/ml', '**/ml/**'], message: 'Workflows must not import the ML engine: call an activity.' },
  { group: ['@tensorflow/*'], message: 'tfjs is not deterministic sandbox code.' },
  { group: ['pg', 'drizzle-orm', 'drizzle-orm/*', '@electric-sql/*'], message: 'Workflows must not touch the database.' },
  { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activity types only (import type).' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.venv/**', 'dist/**', 'db/migrations/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS modules loaded by path (the payload converter): require and module are theirs.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflows run in Temporal's deterministic sandbox and are replayed from history: anything
    // that does I/O, reads the real clock or pulls in native code would break replay.
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: workflowPaths, patterns: workflowPatterns }] },
  },
  {
    // workflows/search is pure search logic, usable outside Temporal: the workflow rules plus no
    // Temporal imports at all. (A later block replaces a rule's options, so repeat them.)
    files: ['workflows/search/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: workflowPaths,
        patterns: [...workflowPatterns, { group: ['@temporalio/*'], message: 'search/ is Temporal-free.' }],
      }],
    },
  },
);
