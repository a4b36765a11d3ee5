import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: everything runs here, every allowed path is relative to it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The only programs a verification run may start: the node running this worker, with one of the
 * project's own tool entry points inside node_modules. A caller chooses a program by this name,
 * never by a path, so no input can name another executable.
 */
export const PROGRAMS = {
  vitest: 'node_modules/vitest/vitest.mjs',
  tsc: 'node_modules/typescript/bin/tsc',
  eslint: 'node_modules/eslint/bin/eslint.js',
  prettier: 'node_modules/prettier/bin/prettier.cjs',
  /** `npm run bench` is `tsx bench/run.ts`; npm itself (and its shell) is not needed. */
  tsx: 'node_modules/tsx/dist/cli.mjs',
} as const;
export type ProgramName = keyof typeof PROGRAMS;

export function isProgramName(name: string): name is ProgramName {
  return Object.hasOwn(PROGRAMS, name);
}

/** The absolute entry point of an allowed program; throws when the installation lacks it. */
export function entryPoint(name: ProgramName, root = PROJECT_ROOT): string {
  const p = path.join(root, PROGRAMS[name]);
  if (!existsSync(p)) throw new Error(`sandbox: ${name} is not installed (${PROGRAMS[name]} missing under ${root})`);
  return p;
}
