import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { refuse } from './refuse.js';

/**
 * Checks of everything a caller may put on a sandboxed command line. They run before any process
 * starts; each refusal names the field and the value. Paths are checked as text first (charset,
 * length, no `..`, not absolute) and then on disk (the real path, symlinks followed, must stay
 * inside its folder), so neither a crafted string nor a planted symlink leads outside.
 */

export const MAX_PATH_CHARS = 200;
export const MAX_PATTERN_CHARS = 200;
export const MAX_PATHS = 32;
/** A glob matching more files than this is refused rather than run as a whole-suite surprise. */
export const MAX_MATCHED_FILES = 500;

/** Path text: letters, digits and `._-/`; `*` too where globs are allowed. No spaces, no quoting. */
const PATH_CHARS = /^[A-Za-z0-9._\-/]+$/;
const GLOB_CHARS = /^[A-Za-z0-9._\-/*]+$/;
/** A test-name pattern (vitest's -t is a regular expression): words, spaces, a few separators, `|`. */
const PATTERN_CHARS = /^[A-Za-z0-9 _.,:|-]+$/;
/** Names (a benchmark, a run id): short identifiers. */
const NAME_CHARS = /^[a-z0-9][a-z0-9-]{0,63}$/;

function checkText(field: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string') throw refuse(field, value, 'must be a string');
  if (value.length === 0) throw refuse(field, value, 'must not be empty');
  if (value.length > maxChars) throw refuse(field, value, `must be at most ${maxChars} characters`);
  return value;
}

/** A relative path (or glob) as text: safe characters, not absolute, no `.`/`..`/empty segments. */
export function checkRelativePathText(field: string, value: unknown, opts: { glob: boolean }): string {
  const text = checkText(field, value, MAX_PATH_CHARS);
  if (text.startsWith('/')) throw refuse(field, text, 'must be relative, not an absolute path');
  if (!(opts.glob ? GLOB_CHARS : PATH_CHARS).test(text)) {
    throw refuse(field, text, `may contain only letters, digits and ._-/${opts.glob ? '*' : ''} (no spaces, quotes, shell or control characters)`);
  }
  const segments = text.replace(/\/$/, '').split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') throw refuse(field, text, 'must not contain "." or ".." segments');
    if (s === '') throw refuse(field, text, 'must not contain empty segments ("//")');
    if (s.startsWith('-')) throw refuse(field, text, 'segments must not start with "-" (they would read as options)');
    if (s.includes('**') && s !== '**') throw refuse(field, text, '"**" must be a whole segment');
  }
  return segments.join('/');
}

/** A test-name pattern (the seed's `markers`). */
export function checkNamePattern(field: string, value: unknown): string {
  const text = checkText(field, value, MAX_PATTERN_CHARS);
  if (!PATTERN_CHARS.test(text)) throw refuse(field, text, 'may contain only letters, digits, spaces and _.,:|- (no shell or control characters)');
  if (text.trim() !== text) throw refuse(field, text, 'must not start or end with a space');
  return text;
}

/** A short identifier: lower-case letters, digits, `-`. */
export function checkName(field: string, value: unknown): string {
  const text = checkText(field, value, 64);
  if (!NAME_CHARS.test(text)) throw refuse(field, text, 'must be lower-case letters, digits and "-", starting with a letter or digit, at most 64');
  return text;
}

/** The real path of `dir`, and a test that another real path lies inside it. */
function inside(realDir: string, realPath: string): boolean {
  return realPath === realDir || realPath.startsWith(realDir + path.sep);
}

/**
 * A relative path that must exist inside `folder` (both relative to `root`), symlinks resolved.
 * Returns the path relative to `root`, as the program will be given it.
 */
export function resolveInside(field: string, value: unknown, root: string, folder: string): string {
  const text = checkRelativePathText(field, value, { glob: false });
  const realFolder = realpathSync(path.join(root, folder));
  const joined = path.join(realFolder, text);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    throw refuse(field, text, `does not exist under ${folder}/`);
  }
  if (!inside(realFolder, real)) throw refuse(field, text, `resolves outside ${folder}/ (a symlink out)`);
  return path.relative(root, path.join(root, folder, text)) || '.';
}

function globToRegExp(glob: string): RegExp {
  const parts = glob.split('/').map((seg) => (seg === '**' ? '(?:[^/]+/)*' : seg.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*') + '/'));
  return new RegExp(`^${parts.join('').replace(/\/$/, '')}$`);
}

/** Every file under `dir` (relative to it), never following a symlink to a directory. */
function* walk(dir: string, rel = ''): Generator<string> {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(dir, r);
    else if (e.isFile() || e.isSymbolicLink()) yield r;
  }
}

/**
 * Test files chosen by paths or globs relative to `test/`: each must match at least one
 * `*.test.ts` file, every match must really be inside `test/` (a symlinked file pointing out is
 * refused), and all together at most MAX_MATCHED_FILES. Returns root-relative paths, sorted.
 */
export function resolveTestFiles(field: string, values: unknown, root: string, folder = 'test'): string[] {
  if (!Array.isArray(values)) throw refuse(field, values, 'must be a list of paths relative to test/');
  if (values.length === 0) throw refuse(field, values, 'must name at least one test file or glob');
  if (values.length > MAX_PATHS) throw refuse(field, `${values.length} entries`, `must have at most ${MAX_PATHS} entries`);
  const realFolder = realpathSync(path.join(root, folder));
  const all = [...walk(realFolder)].filter((f) => f.endsWith('.test.ts'));
  const chosen = new Set<string>();
  values.forEach((value, i) => {
    const f = `${field}.${i}`;
    const text = checkRelativePathText(f, value, { glob: true });
    const re = globToRegExp(text);
    // A folder name chooses the test files below it.
    const matches = all.filter((file) => re.test(file) || (!text.includes('*') && file.startsWith(`${text}/`)));
    if (matches.length === 0) throw refuse(f, text, `matches no *.test.ts file under ${folder}/`);
    for (const m of matches) {
      const st = lstatSync(path.join(realFolder, m));
      const real = realpathSync(path.join(realFolder, m));
      if (st.isSymbolicLink() && !inside(realFolder, real)) throw refuse(f, m, `resolves outside ${folder}/ (a symlink out)`);
      if (!statSync(real).isFile()) throw refuse(f, m, 'is not a file');
      chosen.add(`${folder}/${m}`);
    }
  });
  if (chosen.size > MAX_MATCHED_FILES) throw refuse(field, `${chosen.size} files`, `must match at most ${MAX_MATCHED_FILES} test files`);
  return [...chosen].sort();
}
