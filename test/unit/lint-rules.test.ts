import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Lint source text as if it were a file at `relPath`, with the project's eslint.config.js. */
async function lint(relPath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
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
    const code = "import type { ControlActivities } from '../activities/index.js';\nimport { progressOf } from '../contracts/index.js';\nexport type X = ControlActivities;\nexport const p = progressOf;\n";
    expect(await lint('workflows/lint-probe.ts', code)).toEqual([]);
  });

  it('keeps workflows/search free of Temporal, and of everything workflows may not import', async () => {
    const temporal = await lint('workflows/search/lint-probe.ts', "import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n");
    expect(temporal.join('\n')).toMatch(/Temporal-free/);
    const fs = await lint('workflows/search/lint-probe.ts', "import fs from 'fs';\nexport const f = fs;\n");
    expect(fs.join('\n')).toMatch(/built-ins/);
  });

  it('does not restrict the same imports outside workflows/', async () => {
    expect(await lint('activities/lint-probe.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toEqual([]);
  });
});
