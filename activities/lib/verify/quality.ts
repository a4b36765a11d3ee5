import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { QualityFinding, QualityTool } from '../../../contracts/index.js';
import { refuse, resolveInside, type SandboxCommand } from '../sandbox/index.js';

/**
 * The quality checks' command lines and the parsers of their machine-readable output. Each tool
 * runs with the configuration nearest to the checked path, so the project is checked by its own
 * rules and a folder with its own configuration (a fixture) by its own.
 */

/** The configuration file each tool is pointed at. */
const CONFIG_FILES: Record<QualityTool, string> = { tsc: 'tsconfig.json', eslint: 'eslint.config.js', prettier: '.prettierignore' };

export interface QualityTarget {
  /** The checked file or folder, relative to the root ('.' for the whole project). */
  path: string;
  isDirectory: boolean;
}

/**
 * The checked path: inside the project (symlinks resolved), and not in a hidden folder or
 * node_modules, whose configuration files (eslint.config.js is code) are not the project's.
 */
export function resolveQualityTarget(field: string, value: string | undefined, root: string): QualityTarget {
  if (value === undefined) return { path: '.', isDirectory: true };
  const rel = resolveInside(field, value, root, '.');
  if (rel.split('/').some((seg) => seg.startsWith('.') || seg === 'node_modules')) throw refuse(field, value, 'must not be in a hidden folder or node_modules');
  return { path: rel, isDirectory: statSync(path.join(root, rel)).isDirectory() };
}

/**
 * The folder holding the configuration `tool` uses for `target`: the target folder itself (or a
 * file's folder) or its closest parent, up to the root; the file must resolve inside the root.
 */
export function nearestConfig(tool: QualityTool, target: QualityTarget, root: string): string {
  const realRoot = realpathSync(root);
  let dir = target.isDirectory ? target.path : path.dirname(target.path);
  for (;;) {
    const candidate = path.join(root, dir, CONFIG_FILES[tool]);
    if (existsSync(candidate)) {
      const real = realpathSync(candidate);
      if (!real.startsWith(realRoot + path.sep)) throw refuse('path', target.path, `its ${CONFIG_FILES[tool]} resolves outside the project`);
      return path.join(dir, CONFIG_FILES[tool]);
    }
    if (dir === '.' || dir === '') throw refuse('path', target.path, `has no ${CONFIG_FILES[tool]} in its folder or above it`);
    dir = path.dirname(dir);
  }
}

/** The argument array of one tool over `target` with `config` (both root-relative). */
export function qualityCommand(tool: QualityTool, target: QualityTarget, config: string): SandboxCommand {
  switch (tool) {
    case 'tsc':
      // The whole project of the nearest tsconfig.json; findings outside `target` are dropped after.
      return { program: 'tsc', args: ['--noEmit', '--pretty', 'false', '-p', config] };
    case 'eslint':
      // --no-warn-ignored: a target the config ignores gives no findings rather than a warning per file.
      return { program: 'eslint', args: ['--format', 'json', '--no-warn-ignored', '--config', config, target.path] };
    case 'prettier':
      return { program: 'prettier', args: ['--list-different', '--ignore-path', config, '--no-error-on-unmatched-pattern', target.path] };
  }
}

/** Whether a root-relative file lies inside the target. */
export function insideTarget(file: string, target: QualityTarget): boolean {
  if (target.path === '.') return !file.startsWith('../');
  return file === target.path || file.startsWith(`${target.path}/`);
}

/** Root-relative, forward slashes: how a tool's path (absolute or relative to the root) is stored. */
function relativeToRoot(file: string, root: string): string {
  return (path.isAbsolute(file) ? path.relative(root, file) : path.normalize(file)).split(path.sep).join('/');
}

const TSC_LINE = /^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/;
const TSC_GLOBAL = /^(error|warning|message) (TS\d+): (.*)$/;

/**
 * `tsc --pretty false`: `file(line,col): error TSxxxx: message`, the lines of a message chain
 * indented below it (joined to its message), and file-less `error TSxxxx: message` lines.
 */
export function parseTscOutput(stdout: string, root: string): QualityFinding[] {
  const findings: QualityFinding[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = TSC_LINE.exec(line);
    const g = m ? null : TSC_GLOBAL.exec(line);
    if (m) {
      findings.push({
        tool: 'tsc',
        file: relativeToRoot(m[1], root),
        line: Number(m[2]),
        column: Number(m[3]),
        rule: m[5],
        severity: severityOf(m[4]),
        message: m[6],
      });
    } else if (g) {
      findings.push({ tool: 'tsc', file: '', line: 0, column: 0, rule: g[2], severity: severityOf(g[1]), message: g[3] });
    } else if (/^\s/.test(line) && findings.length > 0) {
      const last = findings[findings.length - 1];
      last.message = `${last.message}\n${line.trim()}`;
    }
  }
  return findings;
}

function severityOf(word: string): QualityFinding['severity'] {
  return word === 'error' ? 'error' : word === 'warning' ? 'warning' : 'info';
}

interface EslintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
  line?: number;
  column?: number;
  fatal?: boolean;
}

/** `eslint --format json`: one entry per file with its messages; a message without a rule is a parse error. */
export function parseEslintOutput(stdout: string, root: string): QualityFinding[] {
  const parsed = JSON.parse(stdout) as { filePath: string; messages: EslintMessage[] }[];
  if (!Array.isArray(parsed)) throw new Error('eslint --format json did not print a list');
  return parsed.flatMap((f) =>
    f.messages.map((m): QualityFinding => ({
      tool: 'eslint',
      file: relativeToRoot(f.filePath, root),
      line: m.line ?? 0,
      column: m.column ?? 0,
      rule: m.ruleId ?? (m.fatal ? 'eslint/parse' : 'eslint/core'),
      severity: m.severity === 2 ? 'error' : m.severity === 1 ? 'warning' : 'info',
      message: m.message,
    })),
  );
}

/** `prettier --list-different`: one unformatted file per line. */
export function parsePrettierOutput(stdout: string, root: string): QualityFinding[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((file) => ({
      tool: 'prettier',
      file: relativeToRoot(file, root),
      line: 1,
      column: 1,
      rule: 'prettier/format',
      severity: 'error',
      message: 'not formatted as prettier would (prettier --write changes it)',
    }));
}

/**
 * Whether a tool's exit means "it ran and these are its findings" rather than "it failed":
 * tsc exits 1 or 2 with diagnostics, eslint 1 with lint errors, prettier 1 with unformatted files.
 */
export function exitIsFindings(tool: QualityTool, exitCode: number | null): boolean {
  if (exitCode === 0) return true;
  if (tool === 'tsc') return exitCode === 1 || exitCode === 2;
  return exitCode === 1;
}

/** `tool:rule` → count, sorted by count then name so the largest rule comes first. */
export function countByRule(findings: readonly QualityFinding[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(`${f.tool}:${f.rule}`, (counts.get(`${f.tool}:${f.rule}`) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
