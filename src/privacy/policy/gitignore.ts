/**
 * .gitignore semantics, for "files git ignores are not recorded".
 *
 * Pattern matching is the `ignore` package's (the one eslint and globby use): negation, directory
 * patterns (`build/`), anchoring (`/x`, `a/b`), `**`, character classes, escapes and trailing
 * spaces as git has them. What it does not do is git's *stack* of files; this module adds that:
 *
 * - A pattern in `<dir>/.gitignore` is relative to `<dir>`: it is rewritten to a pattern relative
 *   to the repository root (`x` → `<dir>/**∕x`, `/x` or `a/x` → `<dir>/x`), with `<dir>` escaped.
 * - For a path, the files of its ancestor directories apply, shallow to deep, in one rule list:
 *   the last matching rule wins, so a deeper file overrides a shallower one, as in git.
 *   `.git/info/exclude` comes first (lowest precedence).
 * - "It is not possible to re-include a file if a parent directory of that file is excluded":
 *   `ignore` checks every parent directory against the same rules, which is exactly that.
 *
 * Only ancestor directories' files can match a path, so they are read lazily, once per directory,
 * and the rule list of each directory is built once (cached): first touch of a file costs at most
 * one small read per new directory, later decisions none.
 *
 * Decisions: matching is case-insensitive (git's default on macOS and Windows; on Linux it
 * over-excludes, the safe side). The user's global excludes file (core.excludesFile) is not read,
 * and a nested repository (a submodule) is treated as part of the outer one.
 */
import ignore from 'ignore';

/**
 * The `ignore` package compiles each line to a backtracking RegExp: a cloned repository's line like
 * `/**∕a/**∕a/**∕a/**∕a/**∕a/**∕a/**∕a/**∕a/**∕b` takes 36 s against `a/a/…/c` (40 segments), and the
 * time grows as the path length to the power of the wildcards. So a line is bounded before it
 * reaches `ignore`: at most MAX_GLOBSTARS `**` segments and MAX_STARS_PER_SEGMENT `*` runs in one
 * segment. A line over either bound is widened to a pattern that matches everything it matched
 * and more (the middle of a segment `x*a*a*y` becomes `x*y`; the segments between the first and
 * the last `**` become one `**`): more files are left out, never fewer. A negated line over the
 * bound is dropped instead, which also leaves out more. Either way the caller hears of it.
 */
export const MAX_GLOBSTARS = 2;
export const MAX_STARS_PER_SEGMENT = 2;

/** Called with a line that was widened (`bounded` is what is used) or dropped (undefined). */
export type BoundedLine = (line: string, bounded: string | undefined) => void;

/** Reads the text of `<dir>/.gitignore`, dir relative to the repository root ('' = root); undefined if none. */
export type ReadGitignore = (dir: string) => string | undefined;

type Matcher = ReturnType<typeof ignore>;

export class GitignoreMatcher {
  private readonly chains = new Map<string, Matcher>();

  constructor(
    private readonly read: ReadGitignore,
    /** Text of `.git/info/exclude`, if any. */
    private readonly infoExclude?: string,
    /** Told of every line bounded for cost (boundLine). */
    private readonly onBounded?: BoundedLine,
  ) {}

  /**
   * Whether git ignores `rel` (relative to the repository root, `/`-separated). `isDir` makes
   * directory-only patterns (`build/`) match the path itself.
   */
  isIgnored(rel: string, isDir = false): boolean {
    const clean = rel.replace(/^\/+|\/+$/g, '');
    if (clean === '' || clean === '.' || clean.split('/').some((s) => s === '..' || s === '.')) {
      return false;
    }
    const slash = clean.lastIndexOf('/');
    const matcher = this.chain(slash === -1 ? '' : clean.slice(0, slash));
    return matcher.ignores(isDir ? `${clean}/` : clean);
  }

  /** A .gitignore changed: read them again. */
  clear(): void {
    this.chains.clear();
  }

  /** The rules that apply inside `dir`: its ancestors' files then its own. */
  private chain(dir: string): Matcher {
    const cached = this.chains.get(dir);
    if (cached !== undefined) {
      return cached;
    }
    const matcher = ignore({ ignorecase: true });
    if (dir === '') {
      if (this.infoExclude !== undefined) {
        matcher.add(this.bounded(rebasePatterns(this.infoExclude, '')));
      }
    } else {
      const slash = dir.lastIndexOf('/');
      matcher.add(this.chain(slash === -1 ? '' : dir.slice(0, slash)));
    }
    const text = this.read(dir);
    if (text !== undefined) {
      matcher.add(this.bounded(rebasePatterns(text, dir)));
    }
    this.chains.set(dir, matcher);
    return matcher;
  }

  private bounded(lines: readonly string[]): string[] {
    const out: string[] = [];
    for (const line of lines) {
      const b = boundLine(line);
      if (b !== line) {
        this.onBounded?.(line, b);
      }
      if (b !== undefined) {
        out.push(b);
      }
    }
    return out;
  }
}

/** Positions of unescaped `*` runs in a segment: [start, end) pairs. */
function starRuns(seg: string): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < seg.length; i++) {
    if (seg[i] === '\\') {
      i++;
    } else if (seg[i] === '*') {
      const start = i;
      while (seg[i + 1] === '*') {
        i++;
      }
      runs.push([start, i + 1]);
    }
  }
  return runs;
}

/**
 * A gitignore line (already rebased) bounded for matching cost: itself when within the bounds,
 * a wider pattern when not, undefined for a negated line over the bounds (see MAX_GLOBSTARS).
 */
export function boundLine(line: string): string | undefined {
  const segments = line.split('/');
  const globstars = segments.filter((s) => s === '**').length;
  const starry = segments.some((s) => s !== '**' && starRuns(s).length > MAX_STARS_PER_SEGMENT);
  if (globstars <= MAX_GLOBSTARS && !starry) {
    return line;
  }
  if (line.startsWith('!')) {
    return undefined;
  }
  let widened = segments.map((s) => {
    const runs = starRuns(s);
    if (s === '**' || runs.length <= MAX_STARS_PER_SEGMENT) {
      return s;
    }
    return `${s.slice(0, runs[0][0])}*${s.slice(runs[runs.length - 1][1])}`;
  });
  if (globstars > MAX_GLOBSTARS) {
    const first = widened.indexOf('**');
    const last = widened.lastIndexOf('**');
    widened = [...widened.slice(0, first), '**', ...widened.slice(last + 1)];
  }
  return widened.join('/');
}

/** Escapes glob metacharacters of a directory path so it matches literally. */
function escapeGlob(dir: string): string {
  return dir.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`);
}

/**
 * The lines of a .gitignore found in `dir` (relative to the repository root), as patterns relative
 * to the root. Comments and blank lines are dropped; everything else keeps its own syntax.
 */
export function rebasePatterns(text: string, dir: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) {
      continue;
    }
    if (dir === '') {
      out.push(line);
      continue;
    }
    const negated = line.startsWith('!');
    const body = negated ? line.slice(1) : line;
    // Anchored when a slash occurs anywhere but at the end (git's rule).
    const withoutTrailing = body.replace(/\/+\s*$/, '');
    const anchored = withoutTrailing.includes('/');
    const prefix = escapeGlob(dir);
    const rebased = anchored ? `${prefix}/${body.replace(/^\/+/, '')}` : `${prefix}/**/${body}`;
    out.push(negated ? `!${rebased}` : rebased);
  }
  return out;
}
