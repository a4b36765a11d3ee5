// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'worker_threads',
  'net',
  'http',
  'https',
  'stream',
  'url',
  'util',
  'events',
  'zlib',
  'process',
  'timers',
];

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

/**
 * DESIGN's dependency direction, one entry per folder: the folders of ours it may import.
 * contracts ← workflows ← (bundled by) workers; contracts ← ml ← activities ← workers;
 * contracts ← client. scripts/, bench/, bin/ and test/ assemble everything and are not listed.
 */
const LAYERS = {
  contracts: [],
  config: ['contracts'],
  artifacts: ['contracts', 'config'],
  db: ['contracts', 'config', 'artifacts'],
  notifications: ['contracts', 'config', 'db'],
  ml: ['contracts', 'config', 'artifacts'],
  activities: ['contracts', 'config', 'artifacts', 'db', 'ml', 'notifications'],
  workflows: ['contracts', 'activities'],
  'temporal-config': ['contracts', 'config'],
  workers: ['contracts', 'config', 'temporal-config', 'activities', 'artifacts', 'db', 'ml', 'notifications', 'workflows'],
  client: ['contracts', 'config', 'temporal-config', 'artifacts'],
};
const OWN_FOLDERS = [...Object.keys(LAYERS), 'scripts', 'bench', 'bin', 'test'];

/** no-restricted-imports patterns refusing every folder of ours that `folder` may not import. */
function layerPatterns(folder, except = []) {
  const allowed = new Set([folder, ...LAYERS[folder], ...except]);
  return OWN_FOLDERS.filter((f) => !allowed.has(f)).map((f) => ({
    // Relative specifiers only, so `@temporalio/client` is not taken for client/.
    regex: `^(\\.\\.?/)+(.*/)?${f}(/|$)`,
    message: `${folder}/ may import only ${LAYERS[folder].length ? LAYERS[folder].join(', ') : 'nothing of ours'} (DESIGN.md, dependency direction), not ${f}/.`,
  }));
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      '.venv/**',
      'bench/.venv-optuna/**',
      'dist/**',
      'db/migrations/**',
      'coverage/**',
      'test/support/lint-fixtures/**',
      // Deliberate findings for the quality-check tests; that folder has its own eslint.config.js.
      'test/fixtures/verify-quality/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits (a lost activity result, an unhandled
    // rejection in a worker) or one passed where a callback's return is ignored is an error.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
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
  // Layering: each folder imports only the folders DESIGN allows it (workflows and search have
  // their own, stricter blocks below, which include these patterns).
  ...['contracts', 'config', 'artifacts', 'db', 'notifications', 'ml', 'activities', 'temporal-config', 'workers', 'client'].map((folder) => ({
    files: [`${folder}/**/*.ts`, `${folder}/**/*.cjs`, `${folder}/**/*.cts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...layerPatterns(folder), ...(folder === 'ml' ? [{ group: ['@temporalio/*'], message: 'ml/ is the Temporal-free domain engine.' }] : [])],
        },
      ],
    },
  })),
  {
    // The replay command hosts a replay worker: the one place the command line reaches into
    // workers/ (type import plus a lazy import, so other commands do not load the worker).
    files: ['client/cli/replay.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: layerPatterns('client', ['workers']).concat([
            {
              regex: '^(\\.\\.?/)+(.*/)?workers(/|$)',
              allowTypeImports: true,
              message: 'client/cli/replay.ts may import workers/ types only (the worker itself is loaded lazily).',
            },
          ]),
        },
      ],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox and are replayed from history: anything
    // that does I/O, reads the real clock or pulls in native code would break replay.
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: workflowPaths, patterns: [...workflowPatterns, ...layerPatterns('workflows', ['activities'])] }] },
  },
  {
    // workflows/search is pure search logic, usable outside Temporal: the workflow rules plus no
    // Temporal imports at all. (A later block replaces a rule's options, so repeat them.)
    files: ['workflows/search/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: workflowPaths,
          patterns: [...workflowPatterns, ...layerPatterns('workflows', ['activities']), { group: ['@temporalio/*'], message: 'search/ is Temporal-free.' }],
        },
      ],
    },
  },
  // Formatting is prettier's (npm run format); eslint's stylistic rules that would disagree are off.
  prettier,
);
