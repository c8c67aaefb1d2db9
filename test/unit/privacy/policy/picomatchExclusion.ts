/**
 * The exclusion matcher as it was before the linear-time glob matcher (picomatch), kept only as the
 * reference the new matcher is checked against on ordinary globs: the meaning must not change.
 */
import picomatch from 'picomatch';

/**
 * Decides whether a workspace-relative path is excluded. Patterns without a `/` match the file's
 * base name anywhere (`.env*` excludes `config/.env.local`); patterns with a `/` match the whole
 * folder-relative path. Dotfiles match like any other file.
 */
export class PicomatchExclusionMatcher {
  private readonly baseName: (path: string) => boolean;
  private readonly fullPath: (path: string) => boolean;

  constructor(readonly patterns: readonly string[]) {
    const base = patterns.filter((p) => !p.includes('/'));
    const full = patterns.filter((p) => p.includes('/'));
    const never = (): boolean => false;
    this.baseName = base.length > 0 ? compile(base) : never;
    this.fullPath = full.length > 0 ? compile(full) : never;
  }

  /** `rel` is `/`-separated and relative to its workspace folder. */
  isExcluded(rel: string): boolean {
    const slash = rel.lastIndexOf('/');
    const base = slash === -1 ? rel : rel.slice(slash + 1);
    return this.baseName(base) || this.fullPath(rel) || this.fullPath(`${rel}/`);
  }
}

function compile(patterns: string[]): (path: string) => boolean {
  // Negations are dropped: a pattern can only add an exclusion, never carve one out.
  const positive = patterns.filter((p) => !p.startsWith('!'));
  const matcher = picomatch(positive, { dot: true, nocase: true });
  return (path) => matcher(path);
}

