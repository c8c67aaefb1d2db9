/**
 * The exclusion and eligibility policy: what a team lead (or the developer) may restrict, a strict
 * validator for it, and the merge of the developer's own settings with the team's.
 *
 * The rule (design invariant 1): a policy can only ever make recording *stricter*. So the merge
 * never lets one side undo the other's restriction: exclusions are the union, the size cap the
 * minimum, categories and licence allow-lists the intersection, and "exclude .gitignored files"
 * is on when either side says so. `allowsFile` / `allowsCategory` state what a policy allows, so
 * that rule can be checked as a property (test/unit/privacy/policy/model.test.ts).
 */
import { CATEGORIES } from '../../model/events';
import { ExclusionMatcher } from './exclusion';
import { licenseAllowed, licenseKey } from './spdx';

/** A policy as a team lead distributes it (a JSON file), or as the developer's settings amount to. */
export interface TeamPolicy {
  /** Shown to the developer and written into bundles: which policy was in force. */
  readonly version: string;
  /** Extra exclusion globs (src/privacy/policy/exclusion.ts syntax). Negations are refused. */
  readonly exclude?: readonly string[];
  /** Files larger than this are never recorded. */
  readonly maxFileSizeKB?: number;
  /** SPDX ids: record only in folders whose detected licence is one of these. */
  readonly allowedLicenses?: readonly string[];
  /** Leave out files that git would ignore (every .gitignore, nested ones too). */
  readonly excludeGitignored?: boolean;
  /** Consent categories that may be recorded at most (a subset of src/model/events.ts CATEGORIES). */
  readonly categories?: readonly string[];
  /**
   * Categories the team suggests. Display only: the consent screen marks them "suggested by your
   * team" and still ticks nothing (a pre-ticked box is not consent). A suggestion allows nothing:
   * a category both suggested and forbidden is forbidden, and the merge drops it.
   */
  readonly suggestedCategories?: readonly string[];
}

/** Thrown by `validatePolicy`: every problem found, not just the first. */
export class PolicyError extends Error {
  readonly isPolicyError = true;

  constructor(
    readonly problems: readonly string[],
    where = 'policy',
  ) {
    super(`invalid ${where}: ${problems.join('; ')}`);
    this.name = 'PolicyError';
  }

  static is(err: unknown): err is PolicyError {
    return err instanceof Error && (err as Partial<PolicyError>).isPolicyError === true;
  }
}

const KNOWN_KEYS: readonly string[] = ['version', 'exclude', 'maxFileSizeKB', 'allowedLicenses', 'excludeGitignored', 'categories', 'suggestedCategories'];
/** Generous bounds: they keep a hostile or broken file from costing memory, not real policies out. */
const MAX_LIST = 1000;
const MAX_STRING = 500;
export const MAX_FILE_SIZE_KB_LIMIT = 1024 * 1024;
/** An SPDX license id (or a LicenseRef-): letters, digits, `.`, `-`, `+`. */
const SPDX_ID = /^[A-Za-z0-9][A-Za-z0-9.+-]*$/;

/**
 * Checks that `raw` (parsed JSON) is a `TeamPolicy` and returns a clean copy. Unknown keys and
 * wrong types are errors, not ignored: a typo such as `exlude` must not silently drop a restriction
 * the team lead meant to impose. Throws `PolicyError` listing every problem.
 */
export function validatePolicy(raw: unknown, where = 'policy'): TeamPolicy {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyError([`expected a JSON object, got ${describe(raw)}`], where);
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push(`unknown key '${key}' (allowed: ${KNOWN_KEYS.join(', ')})`);
    }
  }
  const version = r['version'];
  if (typeof version !== 'string' || version.trim() === '') {
    problems.push(`'version' must be a non-empty string, got ${describe(version)}`);
  } else if (version.length > MAX_STRING) {
    problems.push(`'version' is longer than ${MAX_STRING} characters`);
  }
  const exclude = stringList(r, 'exclude', problems, (p, at) => {
    if (p.trim() === '') {
      return `${at} is empty`;
    }
    // A policy can only add exclusions: `!x` would read as "record x after all".
    return p.trimStart().startsWith('!') ? `${at} '${p}' is a negation; a policy can only add exclusions` : undefined;
  });
  const maxFileSizeKB = r['maxFileSizeKB'];
  if (maxFileSizeKB !== undefined && (typeof maxFileSizeKB !== 'number' || !Number.isInteger(maxFileSizeKB) || maxFileSizeKB < 1 || maxFileSizeKB > MAX_FILE_SIZE_KB_LIMIT)) {
    problems.push(`'maxFileSizeKB' must be an integer from 1 to ${MAX_FILE_SIZE_KB_LIMIT}, got ${describe(maxFileSizeKB)}`);
  }
  const allowedLicenses = stringList(r, 'allowedLicenses', problems, (id, at) =>
    SPDX_ID.test(id) ? undefined : `${at} '${id}' is not an SPDX license id (e.g. MIT, Apache-2.0)`,
  );
  const excludeGitignored = r['excludeGitignored'];
  if (excludeGitignored !== undefined && typeof excludeGitignored !== 'boolean') {
    problems.push(`'excludeGitignored' must be true or false, got ${describe(excludeGitignored)}`);
  }
  const isCategory = (c: string, at: string): string | undefined =>
    (CATEGORIES as readonly string[]).includes(c) ? undefined : `${at} '${c}' is not a category (known: ${CATEGORIES.join(', ')})`;
  const categories = stringList(r, 'categories', problems, isCategory);
  const suggestedCategories = stringList(r, 'suggestedCategories', problems, isCategory);
  if (problems.length > 0) {
    throw new PolicyError(problems, where);
  }
  return {
    version: (version as string).trim(),
    ...(exclude !== undefined ? { exclude: unique(exclude) } : {}),
    ...(typeof maxFileSizeKB === 'number' ? { maxFileSizeKB } : {}),
    ...(allowedLicenses !== undefined ? { allowedLicenses: unique(allowedLicenses) } : {}),
    ...(typeof excludeGitignored === 'boolean' ? { excludeGitignored } : {}),
    ...(categories !== undefined ? { categories: unique(categories) } : {}),
    ...(suggestedCategories !== undefined ? { suggestedCategories: unique(suggestedCategories) } : {}),
  };
}

/** Parses and validates a policy file's text. Throws `PolicyError`. */
export function parsePolicy(text: string, where = 'policy'): TeamPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new PolicyError([`not valid JSON (${err instanceof Error ? err.message : String(err)})`], where);
  }
  return validatePolicy(raw, where);
}

function stringList(
  r: Record<string, unknown>,
  key: string,
  problems: string[],
  check: (value: string, at: string) => string | undefined,
): string[] | undefined {
  const value = r[key];
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.push(`'${key}' must be a list of strings, got ${describe(value)}`);
    return undefined;
  }
  if (value.length > MAX_LIST) {
    problems.push(`'${key}' has ${value.length} entries; at most ${MAX_LIST} are allowed`);
    return undefined;
  }
  const out: string[] = [];
  value.forEach((v: unknown, k) => {
    const at = `'${key}[${k}]'`;
    if (typeof v !== 'string') {
      problems.push(`${at} must be a string, got ${describe(v)}`);
    } else if (v.length > MAX_STRING) {
      problems.push(`${at} is longer than ${MAX_STRING} characters`);
    } else {
      const problem = check(v, at);
      if (problem !== undefined) {
        problems.push(problem);
      } else {
        out.push(v);
      }
    }
  });
  return out;
}

function describe(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'a list';
  }
  if (typeof v === 'string') {
    return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return `${typeof v} ${v.toString()}`;
  }
  return typeof v === 'object' ? 'an object' : typeof v;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * The policy in force: the developer's own (`user`, from settings) and the team's, stricter wins
 * on every field. The version is the team's when there is one (it is what bundles must name).
 */
export function mergePolicy(user: TeamPolicy, team?: TeamPolicy): TeamPolicy {
  if (team === undefined) {
    return user;
  }
  const exclude = unique([...(user.exclude ?? []), ...(team.exclude ?? [])]);
  const caps = [user.maxFileSizeKB, team.maxFileSizeKB].filter((n): n is number => n !== undefined);
  const excludeGitignored = user.excludeGitignored === true || team.excludeGitignored === true;
  const allowedLicenses = intersect(user.allowedLicenses, team.allowedLicenses, licenseKey);
  const categories = intersect(user.categories, team.categories, (c) => c);
  // Suggestions are the team's and for display only; one the merged policy forbids is dropped.
  const suggestedCategories = team.suggestedCategories?.filter((c) => categories === undefined || categories.includes(c));
  return {
    version: team.version,
    ...(exclude.length > 0 ? { exclude } : {}),
    ...(caps.length > 0 ? { maxFileSizeKB: Math.min(...caps) } : {}),
    ...(allowedLicenses !== undefined ? { allowedLicenses } : {}),
    ...(excludeGitignored ? { excludeGitignored } : {}),
    ...(categories !== undefined ? { categories } : {}),
    ...(suggestedCategories !== undefined ? { suggestedCategories } : {}),
  };
}

/**
 * Intersection of two optional allow-lists, where absent means "no restriction". The team's
 * spelling is kept (it is the list the developer is told about).
 */
function intersect(a: readonly string[] | undefined, b: readonly string[] | undefined, key: (v: string) => string): string[] | undefined {
  if (a === undefined) {
    return b === undefined ? undefined : [...b];
  }
  if (b === undefined) {
    return [...a];
  }
  const inA = new Set(a.map(key));
  return b.filter((v) => inA.has(key(v)));
}

/** What decides whether one file may be recorded. */
export interface FileFacts {
  /** Relative to its workspace folder, `/`-separated. */
  readonly path: string;
  readonly sizeBytes: number;
  /** Whether git ignores it (by any .gitignore that applies). */
  readonly gitignored: boolean;
  /** The SPDX expression detected for its workspace folder, if any. */
  readonly license: string | undefined;
}

/**
 * Whether `policy` allows recording a file with these facts. Binary files and files outside the
 * workspace are never recorded whatever the policy, so they are not facts here.
 */
export function allowsFile(policy: TeamPolicy, facts: FileFacts, matcher: ExclusionMatcher = new ExclusionMatcher(policy.exclude ?? [])): boolean {
  if (matcher.isExcluded(facts.path)) {
    return false;
  }
  if (policy.maxFileSizeKB !== undefined && facts.sizeBytes > policy.maxFileSizeKB * 1024) {
    return false;
  }
  if (policy.excludeGitignored === true && facts.gitignored) {
    return false;
  }
  return policy.allowedLicenses === undefined || licenseAllowed(facts.license, policy.allowedLicenses);
}

/** Whether `policy` allows recording events of `category`. */
export function allowsCategory(policy: TeamPolicy, category: string): boolean {
  return policy.categories === undefined || policy.categories.includes(category);
}
