import picomatch from 'picomatch';

/** Files Candor never records, whatever the settings say. Settings can only add to this list. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.env*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '**/secrets/**',
  '**/node_modules/**',
  '.git/**',
];

/**
 * Decides whether a workspace-relative path is excluded. Patterns without a `/` match the file's
 * base name anywhere (`.env*` excludes `config/.env.local`); patterns with a `/` match the whole
 * folder-relative path. Dotfiles match like any other file.
 */
export class ExclusionMatcher {
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

/** The effective list: defaults plus every extra pattern, without duplicates. */
export function effectiveExcludes(extra: readonly string[]): string[] {
  return [...new Set([...DEFAULT_EXCLUDES, ...extra.filter((p) => typeof p === 'string' && p.trim() !== '')])];
}
