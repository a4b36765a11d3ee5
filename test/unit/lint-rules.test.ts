import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The project's eslint.config.js without its type-aware part: the import rules need no types,
 * and probe files exist in no TypeScript project.
 */
const importRulesOnly = (): ESLint =>
  new ESLint({
    cwd: ROOT,
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  });

/** Lint source text as if it were a file at `relPath`, with the project's eslint.config.js. */
async function lint(relPath: string, code: string): Promise<string[]> {
  const eslint = importRulesOnly();
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relPath) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/**
 * Workflows are replayed from history inside Temporal's sandbox: I/O, Node built-ins, the
 * database, the ML engine or tfjs there would break determinism. The lint rule is the guard.
 */
describe('workflow import rules', () => {
  it.each([
    ["import fs from 'node:fs';", /built-ins/],
    ["import { readFileSync } from 'fs';", /built-ins/],
    ["import { connect } from '../db/connect.js';", /database/],
    ["import { simulateSignal } from '../ml/signal/index.js';", /ML engine/],
    ["import * as tf from '@tensorflow/tfjs-core';", /tfjs/],
    ["import { eq } from 'drizzle-orm';", /database/],
    ["import { createActivities } from '../activities/index.js';", /activity types only/],
  ])('rejects `%s` in workflows/', async (code, message) => {
    const messages = await lint('workflows/lint-probe.ts', `${code}\nexport {};\n`);
    expect(messages.join('\n')).toMatch(message);
  });

  it('allows activity types and contracts in workflows/', async () => {
    const code =
      "import type { ControlActivities } from '../activities/index.js';\nimport { progressOf } from '../contracts/index.js';\nexport type X = ControlActivities;\nexport const p = progressOf;\n";
    expect(await lint('workflows/lint-probe.ts', code)).toEqual([]);
  });

  it('keeps workflows/search free of Temporal, and of everything workflows may not import', async () => {
    const temporal = await lint('workflows/search/lint-probe.ts', "import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n");
    expect(temporal.join('\n')).toMatch(/Temporal-free/);
    const fs = await lint('workflows/search/lint-probe.ts', "import fs from 'fs';\nexport const f = fs;\n");
    expect(fs.join('\n')).toMatch(/built-ins/);
  });

  it('refuses a floating promise (type-aware rules are on for every .ts file)', async () => {
    const eslint = new ESLint({ cwd: ROOT, ignore: false });
    const [result] = await eslint.lintFiles([path.join(ROOT, 'test/support/lint-fixtures/floating-promise.ts')]);
    expect(result.messages.map((m) => m.ruleId)).toEqual(['@typescript-eslint/no-floating-promises']);
  });

  it('does not restrict the same imports outside workflows/', async () => {
    expect(await lint('activities/lint-probe.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toEqual([]);
  });
});

/**
 * DESIGN's dependency direction (contracts ← workflows ← workers; contracts ← ml ← activities ←
 * workers; contracts ← client), enforced per folder by the `LAYERS` table in eslint.config.js.
 */
describe('folder layering rules', () => {
  it.each([
    ['contracts/probe.ts', "import { readMat } from '../ml/mat/index.js';", 'ml'],
    ['contracts/sub/probe.ts', "import { connect } from '../../db/connect.js';", 'db'],
    ['config/probe.ts', "import { FileArtifactStore } from '../artifacts/file-store.js';", 'artifacts'],
    ['ml/report/probe.ts', "import { createActivities } from '../../activities/index.js';", 'activities'],
    ['ml/probe.ts', "import { listSignals } from '../db/repos/datasets.js';", 'db'],
    ['db/probe.ts', "import { readMat } from '../ml/mat/index.js';", 'ml'],
    ['artifacts/probe.ts', "import { connect } from '../db/connect.js';", 'db'],
    ['activities/probe.ts', "import { hpoCampaignWorkflow } from '../workflows/hpo.js';", 'workflows'],
    ['activities/lib/probe.ts', "import { startDataset } from '../../client/api.js';", 'client'],
    ['client/probe.ts', "import { renderNasReport } from '../ml/report/index.js';", 'ml'],
    ['client/cli/probe.ts', "import { connect } from '../../db/connect.js';", 'db'],
    ['client/probe.ts', "import { createWorkers } from '../workers/create-workers.js';", 'workers'],
    ['temporal-config/probe.ts', "import { connect } from '../db/connect.js';", 'db'],
    ['workers/probe.ts', "import { startDataset } from '../client/api.js';", 'client'],
    ['workflows/probe.ts', "import { loadConfig } from '../config/index.js';", 'config'],
    ['workflows/search/probe.ts', "import { startDataset } from '../../client/api.js';", 'client'],
  ])('%s may not `%s`', async (file, code, target) => {
    const messages = await lint(file, `${code}\nexport {};\n`);
    expect(messages.join('\n')).toMatch(new RegExp(`not ${target}/`));
  });

  it('refuses the Temporal SDK in ml/, the Temporal-free engine', async () => {
    const messages = await lint('ml/probe.ts', "import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n");
    expect(messages.join('\n')).toMatch(/Temporal-free/);
  });

  it.each([
    ['activities/probe.ts', "import { readMat } from '../ml/mat/index.js';"],
    ['ml/probe.ts', "import { parseInput } from '../contracts/index.js';"],
    ['client/probe.ts', "import { Client } from '@temporalio/client';"],
    ['client/cli/probe.ts', "import { architectureLines } from '../../contracts/text.js';"],
    ['workers/probe.ts', "import { createActivities } from '../activities/index.js';"],
    ['ml/report/probe.ts', "import { tag } from './svg.js';"],
    ['contracts/probe.ts', "import { ArchitectureSchema } from './training.js';"],
  ])('%s may `%s`', async (file, code) => {
    expect(await lint(file, `${code}\nexport {};\n`)).toEqual([]);
  });

  it('lets the replay command import worker types only', async () => {
    expect(await lint('client/cli/replay.ts', "import type { ReplayOutcome } from '../../workers/replay.js';\nexport type R = ReplayOutcome;\n")).toEqual([]);
    const value = await lint('client/cli/replay.ts', "import { replayHistoryFiles } from '../../workers/replay.js';\nexport const r = replayHistoryFiles;\n");
    expect(value.join('\n')).toMatch(/types only/);
  });

  it('finds no back-edge anywhere in the tree', async () => {
    const eslint = importRulesOnly();
    const folders = ['contracts', 'config', 'artifacts', 'db', 'notifications', 'ml', 'activities', 'workflows', 'temporal-config', 'workers', 'client'];
    const results = await eslint.lintFiles(folders.map((f) => path.join(ROOT, f)));
    const offences = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(offences).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });
});
