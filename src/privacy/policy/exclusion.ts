import { compileGlob, splitPath, type CompiledGlob } from '../../util/glob';

/** Files Candor never records, whatever the settings say. Settings can only add to this list. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.env*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.p8',
  '*.ppk',
  '*.jks',
  '*.keystore',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.pgpass',
  '.htpasswd',
  '.git-credentials',
  '*.tfstate',
  '*.tfstate.backup',
  '*.tfvars',
  '*.tfvars.json',
  '**/.aws/credentials',
  '**/.docker/config.json',
  '**/.kube/config',
  '**/secrets/**',
  '**/node_modules/**',
  '**/.git/**',
];

/** More patterns than this are refused (the first ones are kept: the defaults come first). */
export const MAX_EXCLUDE_PATTERNS = 512;

/** A pattern the matcher will not use, and why: the caller reports it in Candor's log. */
export interface RefusedPattern {
  readonly pattern: string;
  readonly reason: string;
}

/**
 * Decides whether a workspace-relative path is excluded. Patterns without a `/` match the file's
 * base name anywhere (`.env*` excludes `config/.env.local`); patterns with a `/` match the whole
 * folder-relative path (or a folder above it: `a/**` excludes `a`). Dotfiles match like any other file.
 *
 * Matching is linear in the path whatever the pattern (src/util/glob.ts): `candor.exclude` is
 * the one setting a cloned repository may extend, and a backtracking matcher would let it freeze
 * the extension host. Patterns it cannot use are listed in `refused`, never silently dropped.
 */
export class ExclusionMatcher {
  private readonly baseName: readonly CompiledGlob[];
  private readonly fullPath: readonly CompiledGlob[];
  readonly refused: readonly RefusedPattern[];

  constructor(readonly patterns: readonly string[]) {
    const base: CompiledGlob[] = [];
    const full: CompiledGlob[] = [];
    const refused: RefusedPattern[] = [];
    let kept = 0;
    for (const pattern of patterns) {
      if (typeof pattern !== 'string' || pattern.trim() === '') {
        continue;
      }
      if (pattern.startsWith('!')) {
        refused.push({ pattern, reason: 'a negated pattern cannot carve out an exclusion' });
        continue;
      }
      if (kept >= MAX_EXCLUDE_PATTERNS) {
        refused.push({ pattern, reason: `more than ${MAX_EXCLUDE_PATTERNS} exclusion patterns` });
        continue;
      }
      const compiled = compileGlob(pattern);
      if (!compiled.ok) {
        refused.push({ pattern, reason: compiled.reason });
        continue;
      }
      kept++;
      (pattern.includes('/') ? full : base).push(compiled.glob);
    }
    this.baseName = base;
    this.fullPath = full;
    this.refused = refused;
  }

  /** `rel` is `/`-separated and relative to its workspace folder. */
  isExcluded(rel: string): boolean {
    // Split and case-folded once for all patterns.
    const path = splitPath(rel);
    const n = path.parts.length;
    const base = { parts: [path.parts[n - 1]], folded: [path.folded[n - 1]] };
    for (const g of this.baseName) {
      if (g.matchesSplit(base)) {
        return true;
      }
    }
    for (const g of this.fullPath) {
      if (g.matchesSplit(path)) {
        return true;
      }
    }
    return false;
  }
}

/** The effective list: defaults plus every extra pattern, without duplicates. */
export function effectiveExcludes(extra: readonly string[]): string[] {
  return [...new Set([...DEFAULT_EXCLUDES, ...extra.filter((p) => typeof p === 'string' && p.trim() !== '')])];
}
